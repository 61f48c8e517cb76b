import { expect, test } from './support/fixtures.ts';
import { testPasswords } from '../test/support/test-passwords.ts';

// Issue 12 end to end: an admin edits the catalog in the console, the next
// FTF grid (what the Python framework reads) follows, and freezing accepts
// exactly the new grid, with no release.

const code = { commit: '0123456789abcdef0123456789abcdef01234567', packages: [{ name: 'optuna', version: '3.6.1' }] };
const FREEZE = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { created } }`;

test('catalog admin page → FTF grid → freeze: widening and deprecating values changes the next sweep', async ({ page, signInAs, consoleApp, expectAccessible }) => {
  const basic = `Basic ${Buffer.from(`viewer:${testPasswords.viewer}`).toString('base64')}`;
  const grid = async (factor: string) => {
    const response = await fetch(`${consoleApp.url}/api/ftf-grid?environment=dev&factor=${factor}`, { headers: { authorization: basic } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { factors: { variants: string[] }[] }).factors[0]!.variants;
  };
  const freeze = async (variant: string) => {
    const result = await consoleApp.gql(FREEZE, { input: { environment: 'dev', experimentalFactors: [{ name: 'CVN_HPO_SAMPLER', variant }], code } }, 'editor');
    return result.errors?.[0]?.extensions?.code ?? 'FROZEN';
  };

  await signInAs('admin');
  await page.goto('/admin/catalog');
  // The list says how each parameter takes part in sweeps.
  await page.getByLabel('Find a parameter').fill('CVN_EXEC_HALT_NEW');
  await expect(page.getByTestId('sweep-CVN_EXEC_HALT_NEW_ENTRIES')).toHaveText(' · sweeps: not a factor: excluded from experiments');
  await page.getByLabel('Find a parameter').fill('CVN_HPO_XGBOOST_5M_LEARNING_RATE');
  await expect(page.getByTestId('sweep-CVN_HPO_XGBOOST_5M_LEARNING_RATE')).toHaveText(' · sweeps: range 0.005 – 0.3 (log, S17 range)');
  await page.getByLabel('Find a parameter').fill('CVN_HPO_SAMPLER');
  await expect(page.getByTestId('sweep-CVN_HPO_SAMPLER')).toHaveText(' · sweeps: 4 variants: tpe, random, cmaes, qmc');
  expect(await grid('CVN_HPO_SAMPLER')).toEqual(['tpe', 'random', 'cmaes', 'qmc']);
  expect(await freeze('grid')).toBe('VALIDATION_FAILED');

  // Widen the allowed values in the console.
  await page.getByRole('button', { name: 'CVN_HPO_SAMPLER', exact: true }).click();
  const edit = page.getByRole('form', { name: 'Edit CVN_HPO_SAMPLER' });
  await expect(edit.getByLabel('Excluded from experiments (never an FTF factor)')).not.toBeChecked();
  await edit.getByLabel('Allowed values (comma-separated)').fill('tpe, random, cmaes, qmc, grid');
  await edit.getByLabel('Reason (required)').fill('Sweep the grid sampler too');
  await edit.getByRole('button', { name: 'Save definition' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved CVN_HPO_SAMPLER as revision 2.');
  await expect(page.getByTestId('sweep-summary')).toHaveText('5 variants: tpe, random, cmaes, qmc, grid');
  await expectAccessible(page);
  expect(await grid('CVN_HPO_SAMPLER')).toEqual(['tpe', 'random', 'cmaes', 'qmc', 'grid']);
  expect(await freeze('grid')).toBe('FROZEN');

  // Deprecate one value in the console: gone from the grid, refused by freezing.
  const retire = page.getByRole('form', { name: 'Deprecate a value of CVN_HPO_SAMPLER' });
  await retire.getByLabel('Value').selectOption('random');
  await retire.getByLabel('Reason shown to operators (required)').fill('Random search wasted half the trials; use tpe.');
  await retire.getByRole('button', { name: 'Deprecate value' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deprecated the value' })).toHaveText('Deprecated the value random of CVN_HPO_SAMPLER.');
  await expect(page.getByTestId('sweep-summary')).toHaveText('4 variants: tpe, cmaes, qmc, grid');
  await expect(page.getByTestId('sweep-CVN_HPO_SAMPLER')).toHaveText(' · sweeps: 4 variants: tpe, cmaes, qmc, grid');
  expect(await grid('CVN_HPO_SAMPLER')).toEqual(['tpe', 'cmaes', 'qmc', 'grid']);
  expect(await freeze('random')).toBe('DEPRECATED');
  for (const variant of await grid('CVN_HPO_SAMPLER')) expect(await freeze(variant)).toBe('FROZEN');
});
