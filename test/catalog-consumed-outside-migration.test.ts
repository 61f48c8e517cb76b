import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseBeforeMigration, type DatabaseBeforeMigration } from './support/database-before-migration.ts';

const migration = '20261212000000_catalog_consumed_outside';

/**
 * The consumedOutside migration on a catalog seeded before it: the seed's
 * declarations arrive as catalog revisions of their own (history stays
 * append-only and complete); entries the seed does not declare are left for
 * the drift check to report.
 */
describe(`migration ${migration} over an existing catalog`, () => {
  let db: DatabaseBeforeMigration;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await databaseBeforeMigration(migration);
    sql = db.sql;
    for (const [entry, group] of [['CVN_HPO_XGBOOST_5M_LEARNING_RATE', 'Training / XGBoost'], ['CVN_TIMEFRAME', 'Data'], ['CVN_ATR_PERIOD', 'Indicators'], ['CVN_DESK_ONLY', 'Desk']] as const) {
      await sql.query(`INSERT INTO variable_catalog (name, type, description, group_name, category) VALUES ($1, 'FLOAT', 'd', $2, 'HPO')`, [entry, group]);
      await sql.query(`INSERT INTO variable_catalog_history (parameter_name, revision, action, snapshot, changed_by, reason) VALUES ($1, 1, 'created', $2, 'admin', 'Initial catalog')`, [entry, { name: entry, groupName: group }]);
    }
    await db.migrate();
  });
  afterAll(() => db.drop());

  it("declares the seed's consumers, each as a new catalog revision", async () => {
    const { rows } = await sql.query(`SELECT name, consumed_outside, revision FROM variable_catalog ORDER BY name`);
    expect(rows).toEqual([
      { name: 'CVN_ATR_PERIOD', consumed_outside: null, revision: 1 }, // read by the reference paper worker: the scan must find it
      { name: 'CVN_DESK_ONLY', consumed_outside: null, revision: 1 }, // not the seed's: the drift check reports it
      { name: 'CVN_HPO_XGBOOST_5M_LEARNING_RATE', consumed_outside: 'python-training-harness', revision: 2 },
      { name: 'CVN_TIMEFRAME', consumed_outside: 'python-trading-pipeline', revision: 2 },
    ]);
    const history = await sql.query(`SELECT parameter_name, revision, action, snapshot, changed_by FROM variable_catalog_history WHERE revision = 2 ORDER BY parameter_name`);
    expect(history.rows).toEqual([
      { parameter_name: 'CVN_HPO_XGBOOST_5M_LEARNING_RATE', revision: 2, action: 'updated', changed_by: 'migration', snapshot: { name: 'CVN_HPO_XGBOOST_5M_LEARNING_RATE', groupName: 'Training / XGBoost', consumedOutside: 'python-training-harness' } },
      { parameter_name: 'CVN_TIMEFRAME', revision: 2, action: 'updated', changed_by: 'migration', snapshot: { name: 'CVN_TIMEFRAME', groupName: 'Data', consumedOutside: 'python-trading-pipeline' } },
    ]);
  });

  it('holds the label format in the database', async () => {
    await expect(sql.query(`UPDATE variable_catalog SET consumed_outside = 'Python Harness' WHERE name = 'CVN_DESK_ONLY'`)).rejects.toThrow(/consumed_outside_check/);
    await expect(sql.query(`UPDATE variable_catalog SET consumed_outside = $1 WHERE name = 'CVN_DESK_ONLY'`, ['a'.repeat(65)])).rejects.toThrow(/consumed_outside_check/);
    await sql.query(`UPDATE variable_catalog SET consumed_outside = 'desk-spreadsheet' WHERE name = 'CVN_DESK_ONLY'`);
  });
});
