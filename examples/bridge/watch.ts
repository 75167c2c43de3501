// The actor examples/bridge/plant.yaml routes readings to: a reading above `config.above` becomes
// an alert the bridge sends to the factory; what the bridge reports (peer down, drops) is logged.
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import type { RoutedMessage } from '../../protocols/index.ts';
import type { BridgeEventMsg, BridgeSendMsg } from '../../actors/index.ts';

export type WatchMsg = RoutedMessage | BridgeEventMsg | ({ type: 'alerts' } & Asks<number>);

export default defineActor<WatchMsg, { alerts: number }, { above: number }>({
  name: 'watch',
  persist: true,
  initialState: { alerts: 0 },
  receive: async (msg, ctx) => {
    if (msg.type === 'alerts') return ctx.state.alerts;
    if (msg.type === 'bridge-event') {
      ctx.log.warn({ event: msg.event, count: msg.count, reason: msg.reason }, 'watch: the bridge reports');
      return undefined;
    }
    const sensor = msg.subject.split('.')[1] ?? '?';
    const value = Number(new TextDecoder().decode(msg.data));
    if (!(value > ctx.config.above)) return undefined;
    await ctx.tell(ctx.ref<BridgeSendMsg>('bridge'), { type: 'send', topic: `alerts/${sensor}`, payload: JSON.stringify({ sensor, value }) });
    ctx.setState({ alerts: ctx.state.alerts + 1 });
    return undefined;
  },
});
