import type { Page } from '@playwright/test';
import { writeAuditHistory } from './support/audit-history.ts';
import { expect, test } from './support/fixtures.ts';

/** A filter of the form (exact: each event's link list is labelled too). */
const filter = (page: Page, label: string) => page.getByRole('form', { name: 'Filter audit events' }).getByLabel(label, { exact: true });
const count = (page: Page) => page.getByTestId('event-count');
const events = (page: Page) => page.getByRole('list', { name: 'Audit events, newest first' }).locator(':scope > li');

async function expectNoHorizontalOverflow(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

for (const width of ['desktop', 'phone'] as const) {
  test.describe(`audit of everything at ${width} width`, () => {
    if (width === 'phone') test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

    test('every kind of event, filters kept in the address bar, the approver\'s comment and links to what each touched', async ({ page, signInAs, consoleApp, expectAccessible }) => {
      const { runId } = await writeAuditHistory(consoleApp);
      await signInAs('viewer');
      await page.goto('/');
      await page.getByRole('link', { name: 'Audit trail' }).click();
      await expect(page).toHaveURL(/\/audit$/);
      await expect(count(page)).toHaveText(/^[\d,]+ events$/);
      // Newest first: the run, then the set, the user, the token, the freeze window, the rule, the requests.
      await expect(events(page).first()).toHaveAttribute('data-action', 'run_registered');
      for (const action of ['run_registered', 'parameter_set_frozen', 'user_created', 'service_token_created', 'freeze_window_created', 'rule_created', 'change_request_withdrawn', 'config_change_rejected', 'config_change_approved']) {
        await expect(page.locator(`[data-action="${action}"]`).first()).toBeVisible();
      }
      await expectAccessible(page);
      if (width === 'phone') await expectNoHorizontalOverflow(page);

      // The run's page (the runs console) and its own history.
      const run = page.locator('[data-action="run_registered"]').first();
      await expect(run.getByRole('link', { name: 'Run page' })).toHaveAttribute('href', `/runs/${encodeURIComponent(runId)}`);

      // Filters: environment + kind, in the URL, surviving a reload.
      await filter(page, 'Environment').selectOption('dev');
      await filter(page, 'What').selectOption('CHANGE_REQUEST');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(page).toHaveURL(/[?&]environment=dev/);
      await expect(page).toHaveURL(/[?&]about=CHANGE_REQUEST/);
      await expect(count(page)).toHaveText('5 events match the filters');
      await page.reload();
      await expect(count(page)).toHaveText('5 events match the filters');
      await expect(filter(page, 'What')).toHaveValue('CHANGE_REQUEST');
      const rejected = page.locator('[data-action="config_change_rejected"]');
      await expect(rejected.getByTestId('review-comment')).toHaveText('Reviewer\'s comment: too much for now');
      await expectAccessible(page);

      // One request's story through its link.
      await rejected.getByRole('link', { name: 'Request history' }).click();
      await expect(page.getByTestId('subject-filter')).toBeVisible();
      await expect(count(page)).toHaveText('2 events match the filters');
      await page.goBack();
      await expect(count(page)).toHaveText('5 events match the filters');

      // Action + parameter + actor: the approved change with the approver's comment, linked to its version's diff.
      await page.getByRole('button', { name: 'Clear' }).click();
      await expect(page).toHaveURL(/\/audit$/);
      await filter(page, 'Action').selectOption('config_change_approved');
      await filter(page, 'Parameter').fill('CVN_RISK_MAX_LEVERAGE');
      await filter(page, 'Actor').fill('approver');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(count(page)).toHaveText('1 event matches the filters');
      const approved = events(page).first();
      await expect(approved.getByTestId('review-comment')).toHaveText('Approved by approver: margin checked with risk desk');
      await expect(approved).toContainText('Reason: leverage for the audit page');
      await approved.getByRole('link', { name: 'Version 2 diff' }).click();
      await expect(page).toHaveURL(/\/history\/dev\?version=2$/);
      const focused = page.getByRole('region', { name: 'Version 2' });
      await expect(focused.getByTestId('diff-CVN_RISK_MAX_LEVERAGE').locator('ins')).toHaveText('3');
      await page.goBack();

      // A time range: nothing before today, everything today.
      await page.getByRole('button', { name: 'Clear' }).click();
      const today = new Date().toLocaleDateString('en-CA');
      await filter(page, 'To').fill('2020-01-01');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(count(page)).toHaveText('0 events match the filters');
      await expect(page.getByText('No event matches these filters.')).toBeVisible();
      await filter(page, 'To').fill(today);
      await filter(page, 'From').fill(today);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(count(page)).toHaveText(/^[\d,]+ events match the filters$/);
      await expect(page).toHaveURL(new RegExp(`since=${today}&until=${today}`));

      // Every other kind links to what it touched.
      await page.getByRole('button', { name: 'Clear' }).click();
      await filter(page, 'What').selectOption('RULE');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(events(page).first().getByRole('link', { name: 'Rule', exact: true })).toHaveAttribute('href', /^\/admin\/catalog#rule-/);
      await filter(page, 'What').selectOption('USER');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(events(page).first().getByRole('link', { name: 'Actions by auditee' })).toBeVisible();
      await filter(page, 'What').selectOption('FREEZE_WINDOW');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(events(page).first().getByRole('link', { name: 'Freeze windows' })).toHaveAttribute('href', /^\/environments#freeze-window-/);
      if (width === 'phone') await expectNoHorizontalOverflow(page);
    });

    test('pages through the trail on the server, newer and older, the page in the address bar', async ({ page, signInAs, consoleApp }) => {
      // A long trail, as years of use would leave it: 160 saves on dev.
      const dev = await consoleApp.database.prisma.environment.findUniqueOrThrow({ where: { name: 'dev' } });
      await consoleApp.database.prisma.auditEvent.createMany({
        data: Array.from({ length: 160 }, (_, i) => ({ action: 'config_change_saved', actor: 'editor', environmentId: dev.id, parameterName: 'CVN_RSI_PERIOD', configVersion: 1, reason: `bulk ${i}`, details: {} })),
      });
      await signInAs('viewer');
      await page.goto('/audit?environment=dev');
      await expect(count(page)).toHaveText('161 events match the filters');
      await expect(count(page)).toHaveText(/^[\d,]+ events match the filters$/);
      const firstOfPage = async () => (await events(page).first().getAttribute('data-testid'))!;
      const newest = await firstOfPage();
      await expect(page.getByRole('button', { name: 'Newer events' })).toBeDisabled();
      await page.getByRole('button', { name: 'Older events' }).click();
      await expect(page).toHaveURL(/[?&]after=/);
      await expect.poll(firstOfPage).not.toBe(newest);
      const second = await firstOfPage();
      await page.getByRole('button', { name: 'Older events' }).click();
      await expect.poll(firstOfPage).not.toBe(second);
      await page.getByRole('button', { name: 'Newer events' }).click();
      await expect(page).toHaveURL(/[?&]before=/);
      await expect.poll(firstOfPage).toBe(second);
      await page.reload();
      await expect.poll(firstOfPage).toBe(second);
      await page.getByRole('button', { name: 'Newer events' }).click();
      await expect.poll(firstOfPage).toBe(newest);
      await expect(events(page)).toHaveCount(50);
    });
  });
}
