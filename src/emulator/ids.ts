import { randomBytes } from 'node:crypto';

/**
 * Ids shaped like the real API's: a type prefix and 48 hex characters
 * (`resp_68be416397ec81918c48ef286530b8140384f747588fc3f5`). Callers only rely on the prefix.
 */
export type IdPrefix = 'resp' | 'mcpl' | 'mcp' | 'mcpr' | 'msg' | 'fc' | 'call' | 'req' | 'rs';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}
