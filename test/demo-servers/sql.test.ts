import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TABLES } from '../../src/demo-servers/database-data';
import { executeSql, parseSql, SqlError } from '../../src/demo-servers/sql';
import { addDays, isIsoDate, resolveDemoDate } from '../../src/demo-servers/today';

void describe('demo SQL subset', () => {
  void it('parses the supported forms', () => {
    assert.deepEqual(parseSql("SELECT * FROM customers WHERE name = 'O''Brien' LIMIT 3;"), {
      table: 'customers',
      projection: { kind: 'all' },
      where: { column: 'name', value: "O'Brien" },
      limit: 3,
    });
    assert.deepEqual(parseSql('select count(*) from orders').projection, { kind: 'count' });
    assert.deepEqual(parseSql('SELECT id, name FROM customers').projection, { kind: 'columns', columns: ['id', 'name'] });
  });

  void it('refuses everything else with SqlError', () => {
    for (const sql of [
      '',
      'SELECT',
      'SELECT * FROM',
      'SELECT * FROM t WHERE a > 1',
      'SELECT * FROM t LIMIT -1',
      'SELECT * FROM t; DROP TABLE t',
      'DELETE FROM orders',
    ]) {
      assert.throws(() => parseSql(sql), SqlError, sql);
    }
  });

  void it('LIMIT 0 and COUNT with WHERE behave like SQL', () => {
    assert.equal(executeSql('SELECT * FROM orders LIMIT 0', TABLES).row_count, 0);
    assert.deepEqual(executeSql("SELECT COUNT(*) FROM customers WHERE tier = 'gold'", TABLES).rows, [{ count: 2 }]);
    assert.deepEqual(executeSql("SELECT id FROM customers WHERE id = '3'", TABLES).rows, [{ id: 3 }]);
  });
});

void describe('demo dates', () => {
  void it('resolve relative words against the fixed demo today', () => {
    assert.equal(resolveDemoDate('today'), '2026-11-26');
    assert.equal(resolveDemoDate(undefined), '2026-11-26');
    assert.equal(resolveDemoDate('Tomorrow'), '2026-11-27');
    assert.equal(resolveDemoDate('2026-02-30'), undefined);
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(isIsoDate('2028-02-29'), true);
  });
});
