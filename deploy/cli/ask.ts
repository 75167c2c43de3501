import type { Command } from 'commander';
import { assertName } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { integerOption } from './option-parsers.ts';
import { parseJsonMessage } from './parse-json-message.ts';
import { withClient } from './with-client.ts';
import { checkTarget } from './actor-target.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerAsk(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('ask')
      .description('send a message to an actor and print its reply as JSON')
      .argument('<actor>', 'actor id')
      .argument('<json>', 'the message, a JSON object with a "type", e.g. \'{"type":"greet","name":"Ada"}\'')
      .option('--timeout <ms>', 'how long to wait for the reply', integerOption('--timeout', 1), 5_000)
      .option('--force', 'send without checking that a live node runs the actor (one not started yet)', false),
  ).action(async (actor: string, json: string, flags: ConnectionFlags & { timeout: number; force: boolean }) => {
    assertName(actor, 'actor id');
    const msg = parseJsonMessage(json);
    await withClient(flags, io, async (client) => {
      await checkTarget(client, actor, flags.force, io);
      const reply = await client.ask(actor, msg, { timeout: flags.timeout });
      // JSON out either way; --json only drops the indentation.
      // The reply is data already: indented JSON by default, one line with --json, or -o yaml.
      io.out(flags.output === 'yaml' ? await renderData('yaml', reply ?? null) : JSON.stringify(reply ?? null, null, outputFormat(flags) ? undefined : 2));
    });
  });
}
