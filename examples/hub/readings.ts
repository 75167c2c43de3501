// The actor examples/hub/plant.yaml routes device readings to: keeps the latest reading of each
// sensor (the MQTT topic plant/<sensor>/temp arrives as subject plant.<sensor>.temp).
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import type { RoutedMessage } from '../../protocols/index.ts';

export type ReadingsMsg = RoutedMessage | ({ type: 'latest' } & Asks<Record<string, string>>);

export default defineActor<ReadingsMsg, { latest: Record<string, string>; count: number }>({
  name: 'readings',
  persist: true,
  initialState: { latest: {}, count: 0 },
  receive: (msg, ctx) => {
    if (msg.type === 'latest') return ctx.state.latest;
    const sensor = msg.subject.split('.')[1] ?? '?';
    ctx.setState({ latest: { ...ctx.state.latest, [sensor]: new TextDecoder().decode(msg.data) }, count: ctx.state.count + 1 });
    return undefined;
  },
});
