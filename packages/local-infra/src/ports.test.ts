import fs from 'node:fs';
import net from 'node:net';
import { freePort } from './ports';

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe('freePort', () => {
  it('gives a port a server can listen on', async () => {
    const server = await listen(await freePort());
    await close(server);
  });

  it("is outside the kernel's ephemeral range, where outgoing connections take their local ports", async () => {
    const [ephemeralLow, ephemeralHigh] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port < ephemeralLow || port > ephemeralHigh).toBe(true);
    // An outgoing connection's local port (the kernel's pick) is inside that range.
    const server = await listen(0);
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    expect(client.localPort).toBeGreaterThanOrEqual(ephemeralLow);
    expect(client.localPort).toBeLessThanOrEqual(ephemeralHigh);
    client.destroy();
    await close(server);
  });
});
