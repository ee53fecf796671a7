import { Command, CommanderError } from 'commander';
import { registerServerCommand } from './commands/server';
import { registerEmulatorCommand } from './commands/emulator';
import { registerDemoServersCommand } from './commands/demo-servers';

const program = new Command()
  .name('mcpflow')
  .description('Durable MCP tool workflows on Temporal')
  .showHelpAfterError()
  .exitOverride();

registerServerCommand(program);
registerEmulatorCommand(program);
registerDemoServersCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  console.error(`mcpflow: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
