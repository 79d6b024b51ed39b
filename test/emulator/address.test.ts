/**
 * DNS rebinding and cross-site requests: a web page the developer opens must not reach the emulator.
 * The attacker's page runs in the developer's browser (a loopback client), so the peer address does
 * not stop it; the `Host` and `Origin` headers the browser sends do.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { AddressGuard, hostOfHeader, isLoopbackHost } from '../../lib/emulator/address';
import { DEFAULT_AUTH, type RunningEmulator } from '../helper/emulator';
import { createToken, expectShape, tokenInput, uniqueName, useEmulator } from './support';

let emu: RunningEmulator;
useEmulator((e) => (emu = e), { resetEach: true });

interface Raw {
  status: number;
  body: any;
}

/** A request to the emulator's real address with the headers a browser would send (Host set by hand). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  const { hostname, port } = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const port = () => new URL(emu.url).port;
const tokensPath = () => `/containerregistries/registries/${emu.registryId}/tokens`;

describe('Host header (DNS rebinding)', () => {
  test.each([['evil.example'], ['evil.example:PORT'], ['127.0.0.1.evil.example:PORT'], ['localhost.evil.example'], ['0.0.0.0:PORT'], ['10.0.0.1:PORT']])(
    'control endpoints refuse Host %j with 421 and an ApiErrorResponse, and do nothing',
    async (hostTemplate) => {
      // GIVEN a token, and an attacker's page whose name now resolves to 127.0.0.1
      const token = await createToken(emu, uniqueName('keep'));
      const host = hostTemplate.replace('PORT', port());
      // WHEN it resets the emulator, injects a fault and reads the tokens
      const reset = await send('POST', '/__emulator/reset', { Host: host });
      const fault = await send('POST', '/__emulator/faults', { Host: host, 'Content-Type': 'application/json' }, JSON.stringify({ status: 500, times: 100 }));
      const read = await send('GET', `/__emulator/tokens?registryId=${emu.registryId}`, { Host: host });
      // THEN each is refused, and nothing changed
      for (const r of [reset, fault, read]) {
        expect(r.status).toBe(421);
        expectShape('ApiErrorResponse', r.body);
        expect(r.body.httpStatus).toBe(421);
        expect(r.body.messages[0].message).toMatch(/^misdirected request: the Host header .* names neither a loopback address/);
      }
      expect((await emu.listTokens()).map((t) => t.id)).toEqual([token.id]);
      expect(await emu.faults()).toEqual([]);
    },
  );

  test('the API refuses a foreign Host too (bound to loopback), even with valid credentials, and logs nothing', async () => {
    const name = uniqueName('rebind');
    const r = await send(
      'POST',
      tokensPath(),
      { Host: `evil.example:${port()}`, Authorization: DEFAULT_AUTH.basic, 'Content-Type': 'application/json' },
      JSON.stringify(tokenInput(name)),
    );
    expect(r.status).toBe(421);
    expectShape('ApiErrorResponse', r.body);
    expect(await emu.listTokens()).toEqual([]);
    expect(await emu.requests()).toEqual([]);
  });

  test('a request without any Host (HTTP/1.0) is refused', async () => {
    const { hostname } = new URL(emu.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port()), hostname, () => socket.end('POST /__emulator/reset HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 421 /);
  });

  test.each([['127.0.0.1:PORT'], ['localhost:PORT'], ['LOCALHOST:PORT'], ['127.0.0.1'], ['localhost'], ['127.1.2.3:PORT'], ['[::1]:PORT']])(
    'Host %j is answered (control and API)',
    async (hostTemplate) => {
      const host = hostTemplate.replace('PORT', port());
      expect((await send('GET', '/__emulator/clock', { Host: host })).status).toBe(200);
      const list = await send('GET', tokensPath(), { Host: host, Authorization: DEFAULT_AUTH.basic });
      expect(list.status).toBe(200);
      expect(list.body.href).toBe(`http://${host}${tokensPath()}`);
    },
  );
});

describe('Origin header (cross-site requests)', () => {
  test.each([['http://evil.example'], ['https://evil.example'], ['http://evil.example:PORT'], ['null'], ['file://'], ['http://127.0.0.1.evil.example']])(
    'a page of origin %j cannot reset the emulator (Host is right: the browser addressed 127.0.0.1)',
    async (originTemplate) => {
      const token = await createToken(emu, uniqueName('keep'));
      const origin = originTemplate.replace('PORT', port());
      // a form POST or fetch(mode: 'no-cors') sends no preflight: the request itself must be refused
      const r = await send('POST', '/__emulator/reset', { Host: `127.0.0.1:${port()}`, Origin: origin, 'Content-Type': 'text/plain' }, 'x');
      expect(r.status).toBe(403);
      expectShape('ApiErrorResponse', r.body);
      expect(r.body.messages[0].message).toMatch(/^cross-origin request refused: Origin /);
      expect((await emu.listTokens()).map((t) => t.id)).toEqual([token.id]);
    },
  );

  test('the API refuses a foreign origin too', async () => {
    const r = await send('GET', tokensPath(), { Host: `127.0.0.1:${port()}`, Origin: 'http://evil.example', Authorization: DEFAULT_AUTH.basic });
    expect(r.status).toBe(403);
  });

  test.each([['http://localhost:3000'], ['http://127.0.0.1:PORT'], ['https://[::1]:8443']])('a page of this machine (%j) is answered', async (originTemplate) => {
    const origin = originTemplate.replace('PORT', port());
    expect((await send('GET', '/__emulator/clock', { Host: `127.0.0.1:${port()}`, Origin: origin })).status).toBe(200);
  });
});

describe('the rules', () => {
  test('isLoopbackHost: 127.0.0.0/8, ::1 in any spelling, localhost; nothing else', () => {
    for (const h of ['127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost']) expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', 'localhost.', 'localhost.evil.example', '127.0.0.1.nip.io', '', '127.1']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, false]);
    }
  });

  test('hostOfHeader: name, name:port, [v6]:port; anything else is no host', () => {
    expect(hostOfHeader('a.example:80')).toBe('a.example');
    expect(hostOfHeader('[::1]:8080')).toBe('::1');
    expect(hostOfHeader('127.0.0.1')).toBe('127.0.0.1');
    for (const h of [undefined, '', '::1', 'a b', 'a.example:port', 'a.example:80:80', 'a@b']) expect(hostOfHeader(h)).toBeUndefined();
  });

  test('AddressGuard: the bound host counts besides loopback; a wildcard bind adds nothing', () => {
    const lan = new AddressGuard('10.0.0.5');
    expect([lan.allows('10.0.0.5'), lan.allows('127.0.0.1'), lan.allows('10.0.0.6'), lan.allows('evil.example')]).toEqual([true, true, false, false]);
    const named = new AddressGuard('Emulator.LAN');
    expect([named.allows('emulator.lan'), named.allows('evil.example')]).toEqual([true, false]);
    const any = new AddressGuard('0.0.0.0');
    expect([any.allows('0.0.0.0'), any.allows('localhost'), any.allows('10.0.0.5')]).toEqual([false, true, false]);
    expect(new AddressGuard('::').allows('::')).toBe(false);
  });
});
