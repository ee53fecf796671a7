/**
 * The base of every error class mcpflow defines, so that `instanceof McpflowError` tells mcpflow's
 * own errors (a refused config, an unknown workflow, a guard's refusal) from those of the
 * libraries beneath it, and each class is named after itself without repeating its name.
 */
export class McpflowError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
