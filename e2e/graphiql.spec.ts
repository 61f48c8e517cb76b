import { expect, test } from './support/fixtures.ts';

test.describe('GraphiQL for analysts', () => {
  test('opens from the console, loads with no host but the product reachable, and runs the lineage example', async ({ page, consoleApp, signInAs }) => {
    const product = new URL(consoleApp.url);
    const foreign: string[] = [];
    // An air-gapped desk: every request to another host fails.
    await page.route((url) => url.host !== product.host && !url.protocol.startsWith('blob') && !url.protocol.startsWith('data'), (route) => {
      foreign.push(route.request().url());
      return route.abort();
    });
    await signInAs('viewer');
    await page.goto('/');
    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await expect(page).toHaveURL(/\/graphql$/);
    const editor = page.locator('.graphiql-query-editor');
    await expect(editor).toContainText('query Lineage', { timeout: 20_000 });
    await page.getByRole('button', { name: /Execute query/ }).click();
    await expect(page.locator('.graphiql-response')).toContainText('"activeConfig"', { timeout: 20_000 });
    expect(foreign).toEqual([]);
  });
});
