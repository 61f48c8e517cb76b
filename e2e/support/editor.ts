import { expect, type Page } from '@playwright/test';

/** Narrows the editor to `text` and waits for the row of `name`. */
export async function findParameter(page: Page, text: string, name = text) {
  await page.getByLabel('Search').fill(text);
  const row = page.getByTestId(`row-${name}`);
  await expect(row).toBeVisible();
  return row;
}

export async function openEditor(page: Page, environment = 'dev') {
  await page.goto(`/config/${environment}`);
  await expect(page.getByTestId('param-list')).toBeVisible();
}
