/** How the planner reads text: lower-case singular words, with synonyms grouped into concepts. */

/** The words that make a question about a tool; each group is matched as one concept. */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['meeting', 'event', 'calendar', 'schedule', 'appointment', 'agenda'],
  ['weather', 'temperature', 'rain', 'sunny', 'wind', 'humidity'],
  ['forecast', 'outlook'],
  ['customer', 'database', 'query', 'sql', 'table', 'record', 'order'],
  ['echo', 'repeat'],
  // "Remember that …" asks a knowledge-graph server (server-memory) to create an entity.
  ['remember', 'memorize', 'create', 'save', 'store', 'entity'],
];

export const STOPWORDS = new Set(
  (
    'a an the and or of to in on at for by with from about is are was were be been do does did have has had i me my ' +
    "you your we our it its this that these those what whats what's which who how when where there any some get " +
    'list tell please can could would should will today tomorrow yesterday s t if then than so as up out all ' +
    'also just give show find need want know let into more most much many'
  ).split(' '),
);

export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
    .map(singular);
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export function concepts(word: string): string[] {
  const group = SYNONYM_GROUPS.find((candidates) => candidates.includes(word));
  return group ? [...group] : [word];
}
