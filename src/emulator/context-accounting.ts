import type { PreparedTurn } from './prepared-turn';

/**
 * What the model reads this turn, for the usage estimate. Earlier turns count as spaces: only
 * their length matters, and input tokens grow with the conversation as they do in the API.
 */
export function turnInputText(prepared: PreparedTurn): string {
  return [
    ' '.repeat(prepared.previous.contextChars),
    prepared.request.instructions ?? '',
    prepared.question,
    JSON.stringify(prepared.newListings),
    ...prepared.functionOutputs.map((result) => result.output),
  ].join('\n');
}
