/**
 * The weather demo server (label "weather"): current conditions and a forecast. Values are fixed
 * for a few well-known cities and derived from a hash of the name for any other place, so a given
 * question always gets the same answer.
 */
import { z } from 'zod';
import { fnv1a } from './hash';
import { addDays, DEMO_TODAY } from './today';
import { defineTool, errorResult, jsonResult, type DemoTool } from './tool';

const CONDITIONS = ['sunny', 'partly cloudy', 'cloudy', 'light rain', 'rain', 'fog', 'windy', 'clear'] as const;
type Condition = (typeof CONDITIONS)[number];

interface Observation {
  temperatureC: number;
  condition: Condition;
  humidity: number;
  windKph: number;
}

/** Hand-picked values for the cities the demo scenario and the examples ask about. */
const KNOWN: Record<string, { name: string } & Observation> = {
  london: { name: 'London', temperatureC: 8, condition: 'light rain', humidity: 87, windKph: 19 },
  paris: { name: 'Paris', temperatureC: 10, condition: 'partly cloudy', humidity: 76, windKph: 13 },
  tokyo: { name: 'Tokyo', temperatureC: 14, condition: 'clear', humidity: 58, windKph: 9 },
  'san francisco': { name: 'San Francisco', temperatureC: 15, condition: 'fog', humidity: 82, windKph: 22 },
};

const UnitsSchema = z.enum(['celsius', 'fahrenheit']).describe('Temperature units (default celsius)');
type Units = z.output<typeof UnitsSchema>;

const LocationSchema = z.string().min(1).max(200).describe('City name, e.g. "London" or "San Francisco"');

function normalize(location: string): string {
  return location.trim().replace(/\s+/g, ' ').toLowerCase();
}

function displayName(location: string): string {
  return KNOWN[normalize(location)]?.name ?? location.trim().replace(/\s+/g, ' ');
}

/** Observation for `location` on day `offset` after DEMO_TODAY (0 = today). */
function observe(location: string, offset: number): Observation {
  const key = normalize(location);
  const known = KNOWN[key];
  const h = fnv1a(`${key}#${offset}`);
  if (known && offset === 0) return known;
  // Later days of a known city drift a little from its hand-picked base; unknown places come from the hash.
  const base = known?.temperatureC ?? (fnv1a(key) % 36) - 5;
  return {
    temperatureC: base + (offset === 0 ? 0 : (h % 7) - 3),
    condition: CONDITIONS[(h >>> 3) % CONDITIONS.length] ?? 'clear',
    humidity: 35 + ((h >>> 7) % 60),
    windKph: 3 + ((h >>> 13) % 30),
  };
}

function convert(celsius: number, units: Units): number {
  return units === 'celsius' ? celsius : Math.round((celsius * 9) / 5 + 32);
}

export function weatherTools(): DemoTool[] {
  return [
    defineTool({
      name: 'get_current_weather',
      title: 'Current weather',
      description: `Get the current weather for a location (as of the demo date ${DEMO_TODAY}).`,
      inputSchema: z.object({ location: LocationSchema, units: UnitsSchema.optional() }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: ({ location, units = 'celsius' }) => {
        if (normalize(location) === '') return errorResult('location must not be empty');
        const now = observe(location, 0);
        return jsonResult({
          location: displayName(location),
          date: DEMO_TODAY,
          temperature: convert(now.temperatureC, units),
          units,
          condition: now.condition,
          humidity_percent: now.humidity,
          wind_kph: now.windKph,
        });
      },
    }),
    defineTool({
      name: 'get_forecast',
      title: 'Weather forecast',
      description: `Get a daily weather forecast for a location, starting on the demo date ${DEMO_TODAY}.`,
      inputSchema: z.object({
        location: LocationSchema,
        days: z.number().int().min(1).max(7).describe('Number of days to forecast, 1 to 7'),
        units: UnitsSchema.optional(),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: ({ location, days, units = 'celsius' }) => {
        if (normalize(location) === '') return errorResult('location must not be empty');
        const forecast = Array.from({ length: days }, (_, offset) => {
          const day = observe(location, offset);
          const spread = 3 + (fnv1a(`${normalize(location)}~${offset}`) % 5);
          return {
            date: addDays(DEMO_TODAY, offset),
            high: convert(day.temperatureC + Math.ceil(spread / 2), units),
            low: convert(day.temperatureC - Math.floor(spread / 2), units),
            condition: day.condition,
            precipitation_chance_percent: day.condition.includes('rain') ? 60 + (day.humidity % 35) : day.humidity % 25,
          };
        });
        return jsonResult({ location: displayName(location), units, days: forecast });
      },
    }),
  ];
}
