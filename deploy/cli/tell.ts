import type { Command } from 'commander';
import { assertName, formatAddress } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { integerOption } from './option-parsers.ts';
import { parseJsonMessage } from './parse-json-message.ts';
import { withClient } from './with-client.ts';
import { checkTarget } from './actor-target.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerTell(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('tell')
      .description("send a message to an actor's mailbox; returns once JetStream has stored it")
      .argument('<actor>', 'actor id')
      .argument('<json>', 'the message, a JSON object with a "type", e.g. \'{"type":"work","job":1}\'')
      .option('--timeout <ms>', 'how long to wait for room when the mailbox is full', integerOption('--timeout', 1), 30_000)
      .option('--force', 'send without checking that a live node runs the actor (one not started yet)', false),
  ).action(async (actor: string, json: string, flags: ConnectionFlags & { timeout: number; force: boolean }) => {
    assertName(actor, 'actor id');
    const msg = parseJsonMessage(json);
    await withClient(flags, io, async (client) => {
      await checkTarget(client, actor, flags.force, io);
      const ref = client.ref(actor);
      await ref.tell(msg, { timeout: flags.timeout });
      const to = formatAddress(ref.address);
      const format = outputFormat(flags);
      io.out(format ? await renderData(format, { ok: true, to, type: msg.type }, { compact: true }) : `sent ${msg.type} to ${to}`);
    });
  });
}
