/**
 * A deliberately tiny, read-only SQL subset for the database demo server:
 *
 *   SELECT * | col[, col...] | COUNT(*) FROM table [WHERE col = value] [LIMIT n] [;]
 *
 * Anything else is refused with a message saying what is supported, so a model that writes other
 * SQL gets an `isError` result it can correct from — which is the behaviour the demo exercises.
 */
import type { Cell, Row, Table } from './database-data';
import { McpflowError } from '../core/mcpflow-error';

export class SqlError extends McpflowError {}

export const SUPPORTED_SQL = 'supported: SELECT * | SELECT col, ... | SELECT COUNT(*) FROM <table> [WHERE <col> = <value>] [LIMIT <n>]';

type Token = { kind: 'word'; text: string } | { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'symbol'; text: string };

const WRITE_KEYWORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'DROP', 'CREATE', 'ALTER', 'TRUNCATE', 'REPLACE', 'MERGE', 'GRANT']);

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
      const text = match?.[0] ?? ch;
      tokens.push({ kind: 'word', text });
      i += text.length;
    } else if (/[0-9-]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?/.exec(sql.slice(i));
      if (!match) throw new SqlError(`unexpected character "${ch}" at position ${i + 1}; ${SUPPORTED_SQL}`);
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else if (ch === "'") {
      // Standard SQL strings: single quotes, a doubled quote ('') stands for one quote.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SqlError('unterminated string literal');
        if (sql.charAt(j) === "'") {
          if (sql.charAt(j + 1) === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += sql.charAt(j);
        j++;
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if ('*,()=;'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch });
      i++;
    } else {
      throw new SqlError(`unexpected character "${ch}" at position ${i + 1}; ${SUPPORTED_SQL}`);
    }
  }
  return tokens;
}

export interface SelectStatement {
  table: string;
  projection: { kind: 'all' } | { kind: 'count' } | { kind: 'columns'; columns: string[] };
  where?: { column: string; value: Cell };
  limit?: number;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === word;
  }

  private isSymbol(symbol: string): boolean {
    const t = this.peek();
    return t?.kind === 'symbol' && t.text === symbol;
  }

  private describe(t: Token | undefined): string {
    if (!t) return 'end of statement';
    if (t.kind === 'string') return `'${t.value}'`;
    if (t.kind === 'number') return String(t.value);
    return `"${t.text}"`;
  }

  private fail(expected: string): never {
    throw new SqlError(`expected ${expected} but found ${this.describe(this.peek())}; ${SUPPORTED_SQL}`);
  }

  private keyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(word);
    this.pos++;
  }

  private symbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail(`"${symbol}"`);
    this.pos++;
  }

  private identifier(what: string): string {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail(what);
    this.pos++;
    return t.text.toLowerCase();
  }

  parse(): SelectStatement {
    const first = this.peek();
    if (first?.kind === 'word' && WRITE_KEYWORDS.has(first.text.toUpperCase())) {
      throw new SqlError(`the demo database is read-only: ${first.text.toUpperCase()} statements are not allowed; ${SUPPORTED_SQL}`);
    }
    this.keyword('SELECT');
    const projection = this.projection();
    this.keyword('FROM');
    const statement: SelectStatement = { table: this.identifier('a table name'), projection };
    if (this.isKeyword('WHERE')) {
      this.pos++;
      const column = this.identifier('a column name');
      this.symbol('=');
      const t = this.peek();
      if (t?.kind !== 'number' && t?.kind !== 'string') this.fail('a number or a quoted string');
      this.pos++;
      statement.where = { column, value: t.value };
    }
    if (this.isKeyword('LIMIT')) {
      this.pos++;
      const t = this.peek();
      if (t?.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) this.fail('a non-negative whole number after LIMIT');
      this.pos++;
      statement.limit = t.value;
    }
    if (this.isSymbol(';')) this.pos++;
    if (this.peek()) this.fail('end of statement');
    return statement;
  }

  private projection(): SelectStatement['projection'] {
    if (this.isSymbol('*')) {
      this.pos++;
      return { kind: 'all' };
    }
    if (this.isKeyword('COUNT')) {
      this.pos++;
      this.symbol('(');
      this.symbol('*');
      this.symbol(')');
      return { kind: 'count' };
    }
    const columns = [this.identifier('"*", COUNT(*) or a column list')];
    while (this.isSymbol(',')) {
      this.pos++;
      columns.push(this.identifier('a column name'));
    }
    return { kind: 'columns', columns };
  }
}

export function parseSql(sql: string): SelectStatement {
  const tokens = tokenize(sql);
  if (tokens.length === 0) throw new SqlError(`empty statement; ${SUPPORTED_SQL}`);
  return new Parser(tokens).parse();
}

export interface QueryResult {
  columns: string[];
  rows: Row[];
  row_count: number;
}

/** Same value: numbers compare as numbers, everything else by its text ('1' matches 1). */
function matches(cell: Cell | undefined, value: Cell): boolean {
  if (cell === undefined) return false;
  if (typeof cell === 'number' && typeof value === 'number') return cell === value;
  return String(cell) === String(value);
}

export function executeSql(sql: string, tables: Readonly<Record<string, Table>>): QueryResult {
  const statement = parseSql(sql);
  const table = tables[statement.table];
  if (!table) throw new SqlError(`unknown table "${statement.table}"; tables: ${Object.keys(tables).join(', ')}`);
  const known = table.columns.map((c) => c.name);
  const checkColumn = (column: string): void => {
    if (!known.includes(column)) throw new SqlError(`unknown column "${column}" in table ${table.name}; columns: ${known.join(', ')}`);
  };

  let rows = [...table.rows];
  if (statement.where) {
    const { column, value } = statement.where;
    checkColumn(column);
    rows = rows.filter((row) => matches(row[column], value));
  }
  if (statement.projection.kind === 'count') {
    // LIMIT applies to the single result row, as in SQL; LIMIT 0 gives no row.
    const countRows = statement.limit === 0 ? [] : [{ count: rows.length }];
    return { columns: ['count'], rows: countRows, row_count: countRows.length };
  }
  if (statement.limit !== undefined) rows = rows.slice(0, statement.limit);
  const columns = statement.projection.kind === 'all' ? known : statement.projection.columns;
  columns.forEach(checkColumn);
  const projected = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? ''])));
  return { columns, rows: projected, row_count: projected.length };
}
