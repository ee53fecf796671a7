/** Pieces of a question the planner uses as string values: e-mail addresses, names, titles, quotes. */

export function emailsIn(text: string): string[] {
  return [...new Set(text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? [])];
}

/** Text in quotes ("…", '…', “…”): what a person names verbatim. */
export function quotedIn(text: string): string[] {
  return [...text.matchAll(/"([^"]+)"|“([^”]+)”|(?:^|\s)'([^']+)'(?=\s|$|[,.?!])/g)].map((m) => (m[1] ?? m[2] ?? m[3] ?? '').trim()).filter(Boolean);
}

const NOT_NAMES = new Set(
  (
    'I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August ' +
    'September October November December Today Tomorrow Yesterday What Whats Please Remember Book Schedule Create Add ' +
    'Set Find Show List Tell Get Give Can Could Would Do Does Is Are The A An And Also Then Note Store Save Record Delete ' +
    'Remove Link Export Run How When Where Who Which Weather Meeting Event'
  ).split(' '),
);

/** Runs of capitalized words that are not sentence openers, weekdays or months: "Ada Lovelace", "Dana". */
export function namesIn(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\b[A-Z][\p{L}'-]*(?:\s+[A-Z][\p{L}'-]*)*/gu)) {
    const kept = match[0].split(/\s+/).filter((word) => !NOT_NAMES.has(word.replace(/'s$/, '')));
    if (kept.length > 0) names.push(kept.join(' ').replace(/'s$/, ''));
  }
  return [...new Set(names)];
}

/** What follows a name: "Ada Lovelace wrote the first program" → "wrote the first program". */
export function factAbout(name: string, text: string): string | undefined {
  const at = text.indexOf(name);
  if (at < 0) return undefined;
  const rest = text
    .slice(at + name.length)
    .replace(/^\s*(?:'s|:|,|-|that|who)?\s*/, '')
    .replace(/[.?!]+\s*$/, '')
    .trim();
  return rest.length > 0 ? rest : undefined;
}

/** "is a mathematician", "as a person" → the kind of thing a name is. */
export function kindIn(text: string): string | undefined {
  return /\b(?:is|as|was)\s+an?\s+([a-z][a-z-]*)/i.exec(text)?.[1]?.toLowerCase();
}

const TITLE_STOP = /\s+(?:on|at|for|from|tomorrow|today|tonight|next|this|in|every|until|by|with\s+[\w.+-]+@)\b.*$/i;
const TITLE_AFTER_VERB = /\b(?:book|schedule|create|add|set up|plan|arrange|put)\s+(?:me\s+)?(?:an?|the|my)?\s*(.+)/i;

/**
 * A short title for something the question asks to create: quoted text, "called/titled/named X",
 * else the words after the verb up to a date, time or preposition ("Book a meeting with Dana
 * tomorrow at 3pm" → "Meeting with Dana"), else the clause itself.
 */
export function titleFrom(text: string): string {
  const quoted = quotedIn(text)[0];
  if (quoted) return clip(quoted);
  const called = /\b(?:called|titled|named)\s+(.+)/i.exec(text)?.[1]?.replace(TITLE_STOP, '');
  if (called?.trim()) return clip(capitalize(called.trim()));
  const afterVerb = TITLE_AFTER_VERB.exec(text)?.[1]
    ?.replace(/\bwith\s+([\w.+-]+@\S+)/i, '')
    .replace(TITLE_STOP, '')
    .trim();
  if (afterVerb) return clip(capitalize(afterVerb.replace(/[.?!,;]+$/, '')));
  return clip(text.trim() || 'Untitled');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
