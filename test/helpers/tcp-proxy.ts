// Tests cut leaf links with the same proxy `cairn demo` uses.
export { startLinkProxy as startTcpProxy } from '../../deploy/site/link-proxy.ts';
export type { LinkProxy as TcpProxy } from '../../deploy/site/link-proxy.ts';
