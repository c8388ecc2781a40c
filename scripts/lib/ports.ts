import { createServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';

export async function isTcpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function isUdpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/** A TCP port the OS says is free now (there is a small race until the caller binds it). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A port free for both TCP and UDP (LiveKit's RTC mux port is UDP; its TCP fallback is separate). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (await isUdpPortFree(port, host)) return port;
  }
  throw new Error('no free UDP port found');
}

/** Free ports for one whole stack on loopback: livekit-server (signal, TCP and UDP media), the web
 * server and the agent worker's health port. */
export async function freeStackPorts(): Promise<{
  livekit: number;
  livekitTcp: number;
  livekitUdp: number;
  web: number;
  agentHealth: number;
}> {
  return {
    livekit: await freeTcpPort(),
    livekitTcp: await freeTcpPort(),
    livekitUdp: await freeUdpPort(),
    web: await freeTcpPort(),
    agentHealth: await freeTcpPort(),
  };
}
