import type { PreparedTurn } from './prepared-turn';

/**
 * What the model reads this turn, for the usage estimate and the prompt cache: the instructions
 * first (a long system prompt shared by many requests is a cacheable prefix, as in the API), then
 * the conversation so far, the question, new listings and function outputs. Input tokens grow
 * with the conversation as they do in the API.
 */
export function turnInputText(prepared: PreparedTurn): string {
  return [
    prepared.request.instructions ?? '',
    prepared.previous.contextText,
    prepared.question,
    JSON.stringify(prepared.newListings),
    ...prepared.functionOutputs.map((result) => result.output),
  ].join('\n');
}
