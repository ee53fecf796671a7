/** mcpflow's search attributes on a dev server: their operator-API types, and the ones a SQLite file made by an older mcpflow lacks. */
import type { Connection } from '@temporalio/client';

type AddSearchAttributesRequest = Parameters<Connection['operatorService']['addSearchAttributes']>[0];
type IndexedValueTypeMap = NonNullable<AddSearchAttributesRequest['searchAttributes']>;
type IndexedValueType = IndexedValueTypeMap[string];

/** `temporal server start-dev` type names → temporal.api.enums.v1.IndexedValueType numbers. */
const INDEXED_VALUE_TYPES: Readonly<Record<string, IndexedValueType>> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** Maps `Name -> CLI type` to the operator API's types; an unknown type is a programming error, caught before spawning. */
export function toIndexedValueTypes(searchAttributes: Readonly<Record<string, string>>): IndexedValueTypeMap {
  const result: IndexedValueTypeMap = {};
  for (const [name, typeName] of Object.entries(searchAttributes)) {
    const type = INDEXED_VALUE_TYPES[typeName];
    if (type === undefined) {
      throw new Error(`search attribute ${name} has unknown type ${typeName}: use one of ${Object.keys(INDEXED_VALUE_TYPES).join(', ')}`);
    }
    result[name] = type;
  }
  return result;
}

/**
 * The CLI registers `--search-attribute`s only when it creates a database: a SQLite file
 * made before an attribute was added to mcpflow would lack it. Add what is missing.
 */
export async function registerMissingSearchAttributes(connection: Connection, namespace: string, wanted: Readonly<Record<string, string>>): Promise<void> {
  const wantedTypes = toIndexedValueTypes(wanted);
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = { ...existing.systemAttributes, ...existing.customAttributes };
  const missing: IndexedValueTypeMap = {};
  for (const [name, type] of Object.entries(wantedTypes)) {
    if (!(name in known)) missing[name] = type;
  }
  if (Object.keys(missing).length === 0) return;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}
