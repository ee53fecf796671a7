/** The sign-in did not complete: the message says why (refused, timed out, a forged answer). */
import { McpflowError } from '../core/mcpflow-error';
export class SignInError extends McpflowError {}
