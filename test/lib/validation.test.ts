import {
  checkApiUrl,
  checkExpiryFormat,
  checkExpiryLead,
  checkHostname,
  checkName,
  checkScopes,
  checkStatus,
  checkTokenProps,
  checkUniqueName,
  checkUuid,
  describeViolation,
  isLoopbackHost,
  parseRfc3339,
} from '../../lib/validation';

const lines = (vs: ReturnType<typeof checkName>) => vs.map(describeViolation);

const HOSTNAME_RULE =
  'must be a hostname such as "myregistry.cr.de-fra.ionos.com", optionally with ":port" (1-65535): dot-separated DNS labels of 1-63 a-z, A-Z, 0-9 and "-" (not first or last), at most 253 characters; no scheme, no path';
const HTTP_RULE = 'must use https:// (plain http:// only to a loopback host: 127.0.0.0/8, localhost, [::1])';

describe('name', () => {
  test.each(['abc', 'ci-push', 'a1B', 'a'.repeat(63), 'aB-9'])('accepts %p', (name) => {
    expect(checkName(name)).toEqual([]);
  });

  test.each([
    ['1abc', 'name "1abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")'],
    ['Abc', 'name "Abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")'],
    ['ab', 'name "ab" must be 3-63 characters long (3-63 chars of a-z, A-Z, 0-9, "-")'],
    ['a'.repeat(64), `name "${'a'.repeat(64)}" must be 3-63 characters long (3-63 chars of a-z, A-Z, 0-9, "-")`],
    ['ab_c', 'name "ab_c" may only contain a-z, A-Z, 0-9 and "-" (3-63 chars of a-z, A-Z, 0-9, "-")'],
    ['abc-', 'name "abc-" must end with a letter or a digit (3-63 chars of a-z, A-Z, 0-9, "-")'],
  ])('fails for %p with the rule in words', (name, message) => {
    expect(lines(checkName(name))).toEqual([message]);
  });

  test('fails for a non-string', () => {
    expect(lines(checkName(42))).toEqual(['name 42 must be a string']);
  });
});

describe('uuid', () => {
  test('accepts upper and lower case', () => {
    expect(checkUuid('5B2A4E1C-9d3f-4c2b-8a7e-1f0e9d8c7b6a', 'registryId')).toEqual([]);
  });
  test.each(['', 'not-a-uuid', '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6', '5b2a4e1c9d3f4c2b8a7e1f0e9d8c7b6a'])('fails for %p', (v) => {
    expect(lines(checkUuid(v, 'registryId'))).toEqual([
      `registryId ${JSON.stringify(v)} must be a uuid like 00000000-0000-4000-8000-000000000000`,
    ]);
  });
});

describe('status', () => {
  test.each(['enabled', 'disabled'])('accepts %p', (s) => expect(checkStatus(s)).toEqual([]));
  test('fails for anything else', () => {
    expect(lines(checkStatus('Enabled'))).toEqual(['status "Enabled" must be one of enabled, disabled']);
  });
});

describe('expiry', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  test.each(['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.123+02:00', '2030-01-01t00:00:00z'])('parses %p', (v) => {
    expect(checkExpiryFormat(v)).toEqual([]);
  });
  test.each(['2030-01-01', '2030-01-01T00:00:00', '2030-02-30T00:00:00Z', '2030-01-01T24:00:00Z', 'tomorrow', ''])(
    'fails for %p (no zone, no time or no such date)',
    (v) => {
      expect(lines(checkExpiryFormat(v))).toEqual([
        `expiryDate ${JSON.stringify(v)} must be an RFC 3339 date-time with a zone, e.g. 2030-01-31T12:00:00Z`,
      ]);
    },
  );
  test('parseRfc3339 keeps the offset', () => {
    expect(parseRfc3339('2030-01-01T02:00:00+02:00')?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
  test('one hour ahead is enough, a second less is not', () => {
    expect(checkExpiryLead('2026-11-24T11:00:00Z', now)).toEqual([]);
    expect(lines(checkExpiryLead('2026-11-24T10:59:59Z', now))).toEqual([
      'expiryDate "2026-11-24T10:59:59Z" must be at least one hour in the future (the API refuses a nearer expiry)',
    ]);
  });
});

describe('scopes', () => {
  const ok = { type: 'repository', name: 'app/*', actions: ['pull', 'push'] };
  test('accepts a valid list', () => {
    expect(checkScopes([ok, { type: 'registry', name: '*', actions: ['pull'] }])).toEqual([]);
  });
  test.each([
    [[], ['scopes [] must contain at least one scope']],
    [undefined, ['scopes undefined must contain at least one scope']],
    [[{ ...ok, type: 'repo' }], ['scopes[0].type "repo" must be one of registry, repository']],
    [[{ ...ok, name: ' ' }], ['scopes[0].name " " must be a repository path of a-z, 0-9, ".", "_", "-", "/" and "*" ("*" matches any characters)']],
    [[{ ...ok, actions: [] }], ['scopes[0].actions [] must list at least one of pull, push, delete']],
    [[{ ...ok, actions: ['pull', 'write'] }], ['scopes[0].actions ["pull","write"] may only contain pull, push, delete']],
    [[{ ...ok, actions: ['pull', 'pull'] }], ['scopes[0].actions ["pull","pull"] must not contain duplicates']],
    [[{ ...ok, actions: ['push'] }], ['scopes[0].actions ["push"] must contain "pull" when it contains "push" (push requires pull)']],
    [[ok, { ...ok, actions: ['pull'] }], ['scopes[1] "repository app/*" duplicates scopes[0] (one scope per type and path)']],
  ])('fails for %j', (scopes, messages) => {
    expect(lines(checkScopes(scopes))).toEqual(messages);
  });
  test('skips values that are not resolved yet', () => {
    const isToken = (v: unknown) => typeof v === 'string' && v.startsWith('${');
    expect(checkScopes([{ type: 'repository', name: '${var.path}', actions: ['pull'] }], 'scopes', isToken)).toEqual([]);
    expect(checkScopes('${var.scopes}', 'scopes', isToken)).toEqual([]);
  });
});

describe('the rule table (checkTokenProps)', () => {
  const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
  const good = { registryId: REGISTRY, name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] };

  test('reports every broken rule at once, in the order of the props', () => {
    const found = checkTokenProps({
      registryId: 'x',
      name: '1abc',
      scopes: [],
      status: 'on',
      expiryDate: 'soon',
      maxAttempts: 0,
      totalTimeoutSeconds: 1.5,
      adoptTokenId: 'abc',
      registryHostname: 'https://x/',
      apiUrl: 'http://evil.example.com',
      rotationTrigger: 7,
    });
    expect(found.map((v) => v.prop)).toEqual(['registryId', 'name', 'scopes', 'status', 'expiryDate', 'maxAttempts', 'totalTimeoutSeconds', 'adoptTokenId', 'registryHostname', 'apiUrl', 'rotationTrigger']);
    expect(lines(found).slice(5)).toEqual([
      'maxAttempts 0 must be a whole number of at least 1',
      'totalTimeoutSeconds 1.5 must be a whole number of at least 1',
      'adoptTokenId "abc" must be a uuid like 00000000-0000-4000-8000-000000000000',
      `registryHostname "https://x/" ${HOSTNAME_RULE}`,
      `apiUrl "http://evil.example.com" ${HTTP_RULE}`,
      'rotationTrigger 7 must be a string',
    ]);
  });

  test('optional props that are not set are not checked; name and scopes are required', () => {
    expect(checkTokenProps(good)).toEqual([]);
    expect(checkTokenProps({ ...good, expiryDate: null, maxAttempts: undefined })).toEqual([]);
    expect(lines(checkTokenProps({ registryId: REGISTRY }))).toEqual(['name undefined must be a string', 'scopes undefined must contain at least one scope']);
    // a step's retry settings alone
    expect(checkTokenProps({ maxAttempts: 3 }, { partial: true })).toEqual([]);
    expect(lines(checkTokenProps({ maxAttempts: 'three' }, { partial: true }))).toEqual(['maxAttempts "three" must be a whole number of at least 1']);
  });

  test('skips what is unresolved (a cdktf string or number token), each value on its own', () => {
    const isUnresolved = (v: unknown) => v === 'TOKEN' || v === -1.8881545897087626e289;
    expect(checkTokenProps({ ...good, name: 'TOKEN', maxAttempts: -1.8881545897087626e289, adoptTokenId: 'TOKEN', registryHostname: 'TOKEN', apiUrl: 'TOKEN', rotationTrigger: 'TOKEN' }, { isUnresolved })).toEqual([]);
    expect(checkTokenProps({ ...good, scopes: [{ type: 'TOKEN', name: 'TOKEN', actions: ['TOKEN'] }] }, { isUnresolved })).toEqual([]);
    expect(lines(checkTokenProps({ ...good, maxAttempts: 0, name: 'TOKEN' }, { isUnresolved }))).toEqual(['maxAttempts 0 must be a whole number of at least 1']);
  });

  test('a name declared before in the same registry of the stack is refused, once the other rules hold', () => {
    const declared = [{ path: 'ci/first', registryId: REGISTRY.toUpperCase(), name: 'ci-push' }];
    expect(lines(checkTokenProps(good, { declared }))).toEqual([
      `name "ci-push" is already declared by ci/first in registry ${REGISTRY} (names are unique in a registry)`,
    ]);
    expect(checkTokenProps({ ...good, registryId: '00000000-0000-4000-8000-000000000001' }, { declared })).toEqual([]);
    expect(checkTokenProps({ ...good, status: 'on' }, { declared }).map((v) => v.prop)).toEqual(['status']);
    // unresolved on either side: not comparable at synth
    expect(checkUniqueName(declared, REGISTRY, 'TOKEN', (v) => v === 'TOKEN')).toEqual([]);
    expect(checkUniqueName([{ ...declared[0], name: 'TOKEN' }], REGISTRY, 'ci-push', (v) => v === 'TOKEN')).toEqual([]);
  });
});

describe('registryHostname: a DNS hostname, optionally with a port (it lands in a Terraform expression)', () => {
  test.each(['myregistry.cr.de-fra.ionos.com', 'localhost:5000', 'a', 'A-1.b2', '10.0.0.1:443', `${'a'.repeat(63)}.com`, `${'a.'.repeat(126)}a`, 'r.example:65535'])('accepts %p', (host) => {
    expect(checkHostname(host)).toEqual([]);
  });
  test.each([
    '${var.host}',
    'x.${var.host}',
    'x%{if true}y%{endif}',
    'https://x/',
    'x/y',
    'x y',
    ' x',
    'x\n',
    'a_b.com',
    '-a.com',
    'a-.com',
    'a..b',
    '.a',
    'a.',
    'h"x',
    "h'x",
    'h\\x',
    'x:0',
    'x:70000',
    'x:',
    'x:1:2',
    '[::1]:5000',
    '',
    `${'a'.repeat(64)}.com`,
    `${'a.'.repeat(127)}a`,
  ])('refuses %j, stating the rule', (host) => {
    expect(lines(checkHostname(host))).toEqual([`registryHostname ${JSON.stringify(host)} ${HOSTNAME_RULE}`]);
  });
  test('refuses a non-string', () => {
    expect(lines(checkHostname(5000))).toEqual([`registryHostname 5000 ${HOSTNAME_RULE}`]);
  });
});

describe('lookupRegistryHostname: a boolean known at synth, not with registryHostname', () => {
  const base = { registryId: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a', name: 'ci-push', scopes: [{ type: 'registry', name: '*', actions: ['pull'] }] };
  test('true or false pass', () => {
    expect(checkTokenProps({ ...base, lookupRegistryHostname: true })).toEqual([]);
    expect(checkTokenProps({ ...base, lookupRegistryHostname: false, registryHostname: 'reg.example' })).toEqual([]);
  });
  test('refuses anything else, and an unresolved value', () => {
    expect(lines(checkTokenProps({ ...base, lookupRegistryHostname: 'yes' }))).toEqual(['lookupRegistryHostname "yes" must be true or false']);
    expect(lines(checkTokenProps({ ...base, lookupRegistryHostname: 'TOKEN' }, { isUnresolved: (v) => v === 'TOKEN' }))).toEqual([
      'lookupRegistryHostname "TOKEN" must be known at synth (it decides which resources the token has)',
    ]);
  });
  test('refuses it with registryHostname', () => {
    expect(lines(checkTokenProps({ ...base, lookupRegistryHostname: true, registryHostname: 'reg.example' }))).toEqual([
      'lookupRegistryHostname true must not be true when registryHostname is set (the hostname is given, or looked up at create, not both): remove one of them',
    ]);
  });
});

describe('apiUrl at synth: a plain http(s) URL with a host; http only to loopback', () => {
  test.each([
    '',
    'api.ionos.com',
    'https://api.ionos.com',
    'https://api.ionos.com/containerregistries/',
    'https://de-fra.registry.ionos.com:8443/prefix',
    // the domain is checked at apply, where the environment may allow a host
    'https://staging.example.com',
    'http://127.0.0.1:8080',
    'http://127.255.255.254',
    'http://localhost:3000',
    'http://LOCALHOST',
    'http://[::1]:8080',
    'api.ionos.com/a%20b',
  ])('accepts %p', (url) => {
    expect(checkApiUrl(url)).toEqual([]);
  });

  const AT_RULE = 'must not contain "@" or "\\" (no user or password in the URL: credentials come from IONOS_TOKEN, IONOS_USERNAME and IONOS_PASSWORD)';
  test.each([
    ['http://api.ionos.com', HTTP_RULE],
    ['http://evil.example.com', HTTP_RULE],
    ['HTTP://evil.example.com:80/', HTTP_RULE],
    ['http://127.0.0.1.nip.io', HTTP_RULE],
    ['http://localhost.evil.example.com', HTTP_RULE],
    ['http://[::ffff:127.0.0.1]', HTTP_RULE],
    ['http://128.0.0.1', HTTP_RULE],
    ['http://0.0.0.0:8080', HTTP_RULE],
    ['https://user:pw@api.ionos.com', AT_RULE],
    ['https://api.ionos.com@evil.example.com', AT_RULE],
    ['https://evil.example.com\\@api.ionos.com', AT_RULE],
    ['https://api.ionos.com?x=1', 'must not contain a query or a fragment'],
    ['https://api.ionos.com/?', 'must not contain a query or a fragment'],
    ['https://api.ionos.com#x', 'must not contain a query or a fragment'],
    ['https://${var.api_host}', 'must not contain "${" or "%{" (template syntax)'],
    ['${var.api_url}', 'must not contain "${" or "%{" (template syntax)'],
    ['https://api.ionos.com%{if true}x%{endif}', 'must not contain "${" or "%{" (template syntax)'],
    [' https://api.ionos.com', 'must not contain whitespace'],
    ['https://api.ionos.com ', 'must not contain whitespace'],
    ['https://api.ionos.com\n.evil.example.com', 'must not contain whitespace'],
    ['https://api.ionos.com\t', 'must not contain whitespace'],
    ['https://api.iönos.com', 'may only contain printable ASCII characters (write a non-ASCII host in punycode)'],
    ['https://api.ionos.com\u0000', 'may only contain printable ASCII characters (write a non-ASCII host in punycode)'],
    ['ftp://api.ionos.com', 'must be an https:// URL'],
    ['file:///etc/passwd', 'must be an https:// URL'],
    ['javascript://x', 'must be an https:// URL'],
    ['https://', 'must be a URL such as https://api.ionos.com'],
    ['https://[bad', 'must be a URL such as https://api.ionos.com'],
    ['https://a b', 'must not contain whitespace'],
  ])('refuses %j, stating the rule', (url, rule) => {
    expect(lines(checkApiUrl(url))).toEqual([`apiUrl ${JSON.stringify(url)} ${rule}`]);
  });

  test('refuses a non-string; the rule table checks a set apiUrl and skips an unresolved one', () => {
    expect(lines(checkApiUrl(443))).toEqual(['apiUrl 443 must be a string']);
    const good = { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] };
    expect(lines(checkTokenProps({ ...good, apiUrl: 'http://evil.example.com' }))).toEqual([`apiUrl "http://evil.example.com" ${HTTP_RULE}`]);
    expect(checkTokenProps({ ...good, apiUrl: 'TOKEN' }, { isUnresolved: (v) => v === 'TOKEN' })).toEqual([]);
  });

  test('isLoopbackHost: 127.0.0.0/8, localhost and ::1 only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '127.255.255.255', 'localhost', 'LocalHost', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['127.0.0.256', '127.0.0', '127.0.0.1.nip.io', 'localhost.', 'localhost.evil.com', '128.0.0.1', '[::ffff:7f00:1]', '0.0.0.0', '']) expect(isLoopbackHost(h)).toBe(false);
  });
});
