import type { Page } from '@playwright/test';
import { findParameter, openEditor } from './support/editor.ts';
import { expect, test, type ConsoleApp } from './support/fixtures.ts';

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Console errors and failed responses of a page, from now on. */
function watchErrors(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') seen.push(`console: ${message.text()}`); });
  page.on('response', (response) => { if (response.status() >= 400) seen.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`); });
  return seen;
}

async function oneApplyReport(app: ConsoleApp) {
  const created = await app.gql(`mutation { createServiceToken(input: { environment: "dev", name: "one-worker" }) { token } }`);
  const token = { token: created.data.createServiceToken.token as string };
  const worker = (await app.gql(`mutation { registerWorker(input: { name: "paper-solo", mode: PAPER, consumes: ["CVN_EXEC_EXCHANGE"] }) { id } }`, {}, token)).data.registerWorker.id;
  expect((await app.gql(`mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "one apply", changes: [{ name: "CVN_EXEC_EXCHANGE", value: "okx" }] }) { outcome } }`, {}, 'editor')).errors).toBeUndefined();
  const at = new Date().toISOString();
  expect((await app.gql(`mutation($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { id } }`, { input: { workerId: worker, version: 2, receivedAt: at, appliedAt: at, keys: ['CVN_EXEC_EXCHANGE'] } }, token)).errors).toBeUndefined();
}

test.describe('first load', () => {
  test('signed out and signed in, the session probe logs no error and no failed request', async ({ page, signInAs }) => {
    const errors = watchErrors(page);
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'UCP console' })).toBeVisible();
    expect(errors).toEqual([]);
    await signInAs('viewer');
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: 'Workers' })).toBeVisible();
    expect(errors).toEqual([]);
  });
});

test.describe('desktop', () => {
  test('the active badge stands apart from "Version N"', async ({ page, signInAs }) => {
    await signInAs('viewer');
    await page.goto('/history/dev');
    const heading = page.getByTestId('version-1').getByRole('heading');
    await expect(heading.getByTestId('active-badge')).toHaveText('active');
    const gap = await heading.evaluate((h2) => {
      const range = document.createRange();
      range.selectNodeContents(h2.firstChild!.parentNode!.childNodes[0]!);
      const text = range.getBoundingClientRect();
      const badge = h2.querySelector('[data-testid="active-badge"]')!.getBoundingClientRect();
      return badge.left - text.right;
    });
    expect(gap).toBeGreaterThanOrEqual(4);
  });

  test('the author withdraws their own request; an approver sees which item is critical', async ({ page, signInAs, consoleApp, expectAccessible }) => {
    const submit = () => consoleApp.gql(`mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "more leverage", submitForApproval: true, changes: [{ name: "CVN_RISK_MAX_LEVERAGE", value: "3" }, { name: "CVN_RSI_PERIOD", value: "21" }] }) { outcome } }`, {}, 'editor');
    expect((await submit()).errors).toBeUndefined();
    await signInAs('approver');
    await page.goto('/approvals');
    const card = page.getByTestId('change-request');
    await expect(card.getByTestId('critical-items')).toHaveText('critical CVN_RISK_MAX_LEVERAGE is critical: a second person must approve it.');
    await expect(card.getByTestId('diff-CVN_RISK_MAX_LEVERAGE')).toContainText('critical');
    await expect(card.getByTestId('diff-CVN_RSI_PERIOD')).not.toContainText('critical');
    await expectAccessible(page);

    await page.context().clearCookies();
    await signInAs('editor');
    await page.goto('/approvals');
    await expect(card).toContainText('You wrote this request: another approver must review it.');
    await card.getByRole('button', { name: 'Withdraw request' }).click();
    await card.getByRole('button', { name: 'Yes, withdraw it' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Withdrew' })).toHaveText('Withdrew your edit request for dev.');
    await expect(card).toHaveCount(0);
    const { data } = await consoleApp.gql(`{ changeRequests(status: WITHDRAWN, first: 5) { edges { node { reason } } } }`);
    expect(data.changeRequests.edges).toEqual([{ node: { reason: 'more leverage' } }]);
  });
});

test.describe('phone', () => {
  test.use(phone);

  test('the save-to-apply chart with one point spans minutes, its labels do not overlap; "1 worker"', async ({ page, signInAs, consoleApp, expectAccessible }) => {
    await oneApplyReport(consoleApp);
    await signInAs('viewer');
    await page.goto('/dashboard');
    await expect(page.getByRole('status').filter({ hasText: /worker/ })).toContainText('1 worker, 0 lagging');
    const chart = page.getByTestId('latency-chart');
    await expect(chart).toHaveAttribute('data-x-labels', /.+/);
    expect(Number(await chart.getAttribute('data-x-span'))).toBeLessThanOrEqual(3600);
    const labels = JSON.parse((await chart.getAttribute('data-x-labels'))!) as { x: number; text: string }[];
    expect(labels.length).toBeGreaterThanOrEqual(2);
    const widths = await page.evaluate((texts) => {
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = '12px system-ui, sans-serif';
      return texts.map((t) => ctx.measureText(t).width);
    }, labels.map((l) => l.text));
    for (let i = 1; i < labels.length; i++) {
      // Centred labels: half of each must fit between the two ticks, with a gap.
      expect(labels[i]!.x - labels[i - 1]!.x, `${labels[i - 1]!.text} / ${labels[i]!.text}`).toBeGreaterThan((widths[i - 1]! + widths[i]!) / 2 + 4);
    }
    const box = (await chart.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    await expectAccessible(page);
  });

  test('the editor keeps the pending tray and Save on screen after an edit; a short list leaves no blank area', async ({ page, signInAs }) => {
    await signInAs('editor');
    await openEditor(page);
    const row = await findParameter(page, 'CVN_COOLDOWN_AFTER_LOSS_BARS');
    const list = page.getByTestId('param-list');
    const blank = await list.evaluate((el) => el.clientHeight - (el.firstElementChild as HTMLElement).offsetHeight);
    expect(blank).toBeLessThanOrEqual(8);
    await row.getByRole('spinbutton').fill('12');
    const tray = page.getByRole('complementary', { name: /Pending changes/ });
    await expect(tray.getByTestId('pending-CVN_COOLDOWN_AFTER_LOSS_BARS')).toBeVisible();
    await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeInViewport({ ratio: 1 });
    // Still reachable with the whole catalog listed and scrolled.
    await page.getByLabel('Search').fill('');
    await page.mouse.wheel(0, 2000);
    await expect(tray.getByRole('button', { name: 'Save as version 2' })).toBeInViewport({ ratio: 1 });
    await tray.getByLabel('Reason (required)').fill('Longer pause after a loss');
    await tray.getByRole('button', { name: 'Save as version 2' }).tap();
    await expect(tray.getByRole('status')).toHaveText('Saved as version 2.');
  });

  test('GraphiQL is linked from the navigation and opens', async ({ page, signInAs }) => {
    await signInAs('viewer');
    await page.goto('/dashboard');
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GraphiQL' });
    await expect(link).toBeInViewport();
    await link.tap();
    await expect(page).toHaveURL(/\/graphql$/);
    await expect(page.locator('.graphiql-query-editor')).toBeVisible({ timeout: 20_000 });
  });
});
