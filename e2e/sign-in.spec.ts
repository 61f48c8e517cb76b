import { expect, passwordOf, test } from './support/fixtures.ts';

test.describe('sign in and out', () => {
  test('a wrong password is refused with a sentence; the right one shows name and role; sign out ends the session', async ({ page, expectAccessible }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'UCP console' })).toBeVisible();
    await expectAccessible(page);

    await page.getByLabel('User name').fill('editor');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The user name or the password is wrong.');

    await page.getByLabel('Password').fill(passwordOf('editor'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const who = page.getByTestId('signed-in-user');
    await expect(who).toContainText('Editor');
    await expect(who).toContainText('editor');
    await expect(page).toHaveURL(/\/config\/dev$/);
    const csrf = (await page.context().cookies()).find((c) => c.name === 'ucp_csrf');
    expect(csrf?.value).toBeTruthy();

    // The session survives a reload (cookie), and signing out ends it on the server.
    await page.reload();
    await expect(who).toContainText('Editor');
    await who.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'UCP console' })).toBeVisible();
    await page.reload();
    await expect(page.getByLabel('User name')).toBeVisible();
    const session = await page.request.get('/auth/session');
    expect(session.status()).toBe(200);
    expect(await session.json()).toEqual({ signedIn: false, user: null });
  });

  test('the console is served from the product port with cacheable hashed assets', async ({ page, consoleApp }) => {
    const html = await fetch(`${consoleApp.url}/history/dev`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const body = await html.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(body)?.[1];
    expect(asset).toBeTruthy();
    const js = await fetch(`${consoleApp.url}${asset}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-encoding')).toBe('br');
    // API paths are not swallowed by the client-route fallback.
    const missing = await fetch(`${consoleApp.url}/nope.json`);
    expect(missing.status).toBe(404);
    void page;
  });
});
