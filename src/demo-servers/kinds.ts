/** The three demo servers, each a set of tools plus whatever domain state it keeps. */
import { CalendarStore, calendarTools } from './calendar';
import { databaseTools } from './database';
import type { DemoServerKind } from './schemas';
import { DEMO_TODAY } from './today';
import type { DemoTool } from './tool';
import { weatherTools } from './weather';

export interface DemoServerDefinition {
  kind: DemoServerKind;
  /** Shown to MCP clients in the initialize (2025) or server/discover (2026) result. */
  instructions: string;
  tools: DemoTool[];
  /** The calendar's events, shared with its MCP 2026-07-28 interactive tools. */
  store?: CalendarStore;
  /** Drops domain state created at run time (e.g. calendar events). */
  resetData(): void;
}

export function createDefinition(kind: DemoServerKind): DemoServerDefinition {
  switch (kind) {
    case 'weather':
      return { kind, instructions: `Demo weather service. "Today" is ${DEMO_TODAY}.`, tools: weatherTools(), resetData: () => undefined };
    case 'calendar': {
      const store = new CalendarStore();
      return {
        kind,
        instructions: `Demo calendar. "Today" is ${DEMO_TODAY}; dates are YYYY-MM-DD.`,
        tools: calendarTools(store),
        store,
        resetData: () => store.reset(),
      };
    }
    case 'database':
      return { kind, instructions: 'Demo read-only shop database (customers, orders).', tools: databaseTools(), resetData: () => undefined };
  }
}
