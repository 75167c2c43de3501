import type { NatsConnection } from '@nats-io/transport-node';
import { ControlVerbs, Subjects, decodeValue, encodeValue } from '../protocols/index.ts';
import type { LogsReply, PsReply, TreeReply } from '../protocols/index.ts';

/** What a node answers on its control subjects (`cairn ps`, `tree`, `logs`, and CairnClient). */
export interface NodeControlAnswers {
  ps(): PsReply;
  tree(): TreeReply;
  logs(actor: string | undefined): Promise<LogsReply>;
}

/** Serves `cairn.ctl.<site>.<node>.<verb>` requests with MessagePack replies until the connection closes. */
export function serveNodeControl(nc: NatsConnection, site: string, node: string, answers: NodeControlAnswers): void {
  const serve = (verb: string, answer: (body: Uint8Array) => unknown): void => {
    nc.subscribe(Subjects.control(site, node, verb), {
      callback: (err, msg) => {
        if (err) return;
        void Promise.resolve(answer(msg.data)).then((reply) => msg.respond(encodeValue(reply)));
      },
    });
  };
  serve(ControlVerbs.logs, (body) => answers.logs(((body.length > 0 ? decodeValue(body) : {}) as { actor?: string }).actor));
  serve(ControlVerbs.ps, () => answers.ps());
  serve(ControlVerbs.tree, () => answers.tree());
}
