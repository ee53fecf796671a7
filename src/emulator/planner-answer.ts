/** The planner's final answer: the tool outcomes quoted and summed up the way a model would. */

export type ToolOutcome =
  | { kind: 'mcp' | 'function'; server?: string; tool: string; status: 'ok'; output: string }
  | { kind: 'mcp' | 'function'; server?: string; tool: string; status: 'error'; error: string }
  | { kind: 'mcp'; server?: string; tool: string; status: 'denied'; reason?: string | null };

const MAX_QUOTE = 600;

/** Writes the final answer from the tool outcomes, quoting outputs and naming errors and denials. */
export function composeAnswer(question: string, outcomes: readonly ToolOutcome[]): string {
  if (outcomes.length === 0) {
    const asked = question.trim();
    return asked
      ? `You asked: "${quote(asked, 200)}". None of the available tools fits this question, so I am answering directly: I have no tool data for it.`
      : 'Hello! How can I help you today?';
  }
  const lines = outcomes.map(describeOutcome);
  const successes = outcomes.filter((outcome) => outcome.status === 'ok').length;
  const intro =
    successes === outcomes.length
      ? 'Here is what I found:'
      : successes === 0
        ? 'I could not get an answer from the tools:'
        : 'Here is what I found (some tool calls did not succeed):';
  return [intro, ...lines.map((line) => `- ${line}`)].join('\n');
}

function where(outcome: ToolOutcome): string {
  return outcome.server ? `${outcome.tool} (${outcome.server})` : outcome.tool;
}

function describeOutcome(outcome: ToolOutcome): string {
  switch (outcome.status) {
    case 'ok':
      return `${where(outcome)}: ${quote(summarizeOutput(outcome.output), MAX_QUOTE)}`;
    case 'error':
      return `${where(outcome)} failed with an error: ${quote(outcome.error, MAX_QUOTE)}`;
    case 'denied':
      return outcome.reason
        ? `I did not call ${where(outcome)} because the request was denied. Reason: ${outcome.reason}`
        : `I did not call ${where(outcome)} because the request was denied.`;
  }
}

/**
 * A tool's JSON output read the way a model would sum it up: scalar fields as "key value",
 * lists as their count and the text of each item (ids left out). Other text stays as it is.
 */
export function summarizeOutput(output: string): string {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch {
    return output;
  }
  if (typeof value !== 'object' || value === null) return output;
  return describeValue(value);
}

function describeValue(value: object): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => (typeof item === 'object' && item !== null ? itemText(item) : String(item)));
    return `${value.length} item(s)${items.length ? `: ${items.join('; ')}` : ''}`;
  }
  return Object.entries(value)
    .filter(([key]) => key !== 'id')
    .map(([key, field]) =>
      typeof field === 'object' && field !== null ? `${key.replace(/_/g, ' ')} ${describeValue(field)}` : `${key.replace(/_/g, ' ')} ${String(field)}`,
    )
    .join(', ');
}

/** The words of a list item: its strings and numbers, ids left out. */
function itemText(item: object): string {
  return Object.entries(item)
    .filter(([key, field]) => key !== 'id' && (typeof field === 'string' || typeof field === 'number'))
    .map(([, field]) => String(field))
    .join(' ');
}

function quote(text: string, limit: number): string {
  const flat = text.trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}
