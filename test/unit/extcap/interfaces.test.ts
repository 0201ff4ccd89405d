// What Wireshark's interface list and options dialog show, and how tshark 4.0's calls are
// read (the argument lists below are the ones tshark 4.0.17 sent a probe extcap here).
import { describe, expect, it } from 'vitest';
import { parseExtcapArgs } from '../../../electron/front-doors/extcap/args';
import { configOutput, extcapInterfaces, interfacesOutput, reloadOutput, targetWord, type ListedContainer } from '../../../electron/front-doors/extcap/interfaces';
import { containerInterfaceName, extcapPreference, wiresharkLiveArgs } from '../../../shared/extcap';

const c = (name: string, more: Partial<ListedContainer> = {}): ListedContainer => ({ id: `${name}-id-0123456789abcdef`, name, engine: 'docker', pod: null, infra: false, ...more });

/** Every `{key=value}` of one sentence line. */
const fields = (line: string) => Object.fromEntries([...line.matchAll(/\{([a-z]+)=([^}]*)\}/g)].map((m) => [m[1], m[2]]));

describe('interfaces', () => {
  it('one per container, named as vethscope names it, sorted, plus the multi-container one first', () => {
    const list = extcapInterfaces([c('web-1'), c('db', { engine: 'podman' }), c('k8s-pause', { engine: 'containerd', infra: true, pod: { name: 'shop', namespace: 'default' } })]);
    expect(list.map((i) => [i.value, i.display])).toEqual([
      ['vethscope', 'vethscope: several containers (choose them in its options)'],
      ['vethscope-db', 'vethscope: db (podman)'],
      ['vethscope-shop', 'vethscope: pod default/shop (containerd)'],
      ['vethscope-web-1', 'vethscope: web-1 (docker)'],
    ]);
  });

  it('a name two containers share (two engines) gets the later one\'s short id; characters a FIFO name cannot hold become _', () => {
    const list = extcapInterfaces([c('web', { engine: 'docker', id: 'aaaa1111bbbb2222' }), c('web', { engine: 'podman', id: 'cccc3333dddd4444' }), c('default/2f1c', { engine: 'containerd' })]);
    expect(list.map((i) => i.value)).toEqual(['vethscope', 'vethscope-default_2f1c', 'vethscope-web', 'vethscope-web-cccc3333dddd']);
    expect(new Set(list.map((i) => i.value)).size).toBe(list.length);
  });

  it('a name holding braces or control characters cannot end a field or add one (Wireshark parses {key=value} runs)', () => {
    const evil = c('x}{display=owned}\u001b[31m\nrow');
    const out = interfacesOutput('0.1.0', extcapInterfaces([evil]));
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // extcap, multi, and this one: no extra sentence
    const f = fields(lines[2]!);
    expect(Object.keys(f)).toEqual(['value', 'display']);
    expect(f.display).toBe('vethscope: x)(display=owned)\\x1b[31m\\x0arow (docker)');
    expect(out).not.toMatch(/\u001b/);
  });

  it('the interface list sentence opens with the extcap line and its version', () => {
    expect(interfacesOutput('0.1.0', extcapInterfaces([])).split('\n')[0]).toMatch(/^extcap \{version=0\.1\.0\}/);
  });
});

describe('options', () => {
  const all = [c('web-1'), c('db-1')];
  it('a container interface: a reloadable selector defaulting to its own container, interfaces, snaplen, follow', () => {
    const out = configOutput('vethscope-web-1', all[0]!, all).trimEnd().split('\n');
    const args = out.filter((l) => l.startsWith('arg ')).map(fields);
    expect(args.map((a) => [a.call, a.type])).toEqual([
      ['--container', 'selector'],
      ['--interfaces', 'string'],
      ['--snaplen', 'integer'],
      ['--follow', 'boolflag'],
    ]);
    expect(args[0]!.reload).toBe('true');
    // Its own container only, until Reload lists every one (each of these answers stays small).
    const values = out.filter((l) => l.startsWith('value ')).map(fields);
    expect(values.map((v) => [v.value, v.default ?? null])).toEqual([['docker:web-1', 'true']]);
    // A container gone since the listing: every container to choose from, none chosen.
    expect(configOutput('vethscope-gone', null, all).match(/^value /gm)).toHaveLength(2);
    // Wireshark splits sentences at braces: the validation regex holds none.
    expect(args[1]!.validation).toBe('^([A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]*(,[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]*)*)?$');
  });

  it('the multi-container interface takes a list (multicheck) with no default', () => {
    const out = configOutput('vethscope', null, all);
    expect(fields(out.split('\n')[0]!)).toMatchObject({ call: '--containers', type: 'multicheck' });
    expect(out).not.toContain('{default=true}');
  });

  it('reload prints the selector\'s values only, from the listing it is given', () => {
    const out = reloadOutput(all[1]!, 'container', [...all, c('cache-1')]);
    expect(out.trimEnd().split('\n').every((l) => l.startsWith('value {arg=0}'))).toBe(true);
    expect(out).toContain('{value=docker:cache-1}');
    expect(reloadOutput(null, 'snaplen', all)).toBe('');
  });

  it('ENGINE:NAME is what the Backend is asked for (findContainer takes it)', () => {
    expect(targetWord(c('web', { engine: 'lxc' }))).toBe('lxc:web');
  });
});

describe("Wireshark's preference names and live arguments", () => {
  it('the interface lower-cased, every non-alphanumeric _ (as tshark -G defaultprefs shows them)', () => {
    expect(extcapPreference('probe-a.b_c', 'container')).toBe('extcap.probe_a_b_c.container');
    expect(extcapPreference('Probe-A.b_c', 'snaplen')).toBe('extcap.probe_a_b_c.snaplen');
    expect(extcapPreference(containerInterfaceName('web-1'), 'interfaces')).toBe('extcap.vethscope_web_1.interfaces');
  });

  it('wireshark -k -i vethscope with its options by -o and the filter by -f', () => {
    expect(wiresharkLiveArgs({ targets: ['web-1', 'host:eth0'], interfaces: ['eth0'], filter: 'icmp', snaplen: 128 })).toEqual([
      '-k', '-i', 'vethscope', '-o', 'extcap.vethscope.containers:web-1,host:eth0', '-o', 'extcap.vethscope.interfaces:eth0', '-o', 'extcap.vethscope.snaplen:128', '-f', 'icmp',
    ]);
    expect(wiresharkLiveArgs({ targets: ['db'] })).toEqual(['-k', '-i', 'vethscope', '-o', 'extcap.vethscope.containers:db']);
    expect(wiresharkLiveArgs({ targets: ['db'], follow: true })).toContain('extcap.vethscope.follow:true');
  });
});

describe('the calls tshark 4.0 makes', () => {
  it('lists, asks options, captures', () => {
    expect(parseExtcapArgs(['--extcap-interfaces', '--extcap-version=4.0'])).toEqual({ kind: 'interfaces', version: '4.0' });
    expect(parseExtcapArgs(['--extcap-config', '--extcap-interface', 'vethscope-web-1'])).toEqual({ kind: 'config', iface: 'vethscope-web-1', reload: null });
    expect(parseExtcapArgs(['--extcap-interface', 'vethscope-web-1', '--extcap-config', '--extcap-reload-option', 'container'])).toMatchObject({ kind: 'config', reload: 'container' });
    expect(parseExtcapArgs(['--extcap-interface', 'vethscope', '--extcap-dlts'])).toEqual({ kind: 'dlts', iface: 'vethscope' });
    expect(parseExtcapArgs(['--capture', '--extcap-interface', 'vethscope', '--extcap-capture-filter', 'icmp', '--fifo', '/tmp/wireshark_extcap_vethscopeKR4JZ3', '--containers', 'a,b', '--snaplen', '262144'])).toEqual({
      kind: 'capture',
      iface: 'vethscope',
      fifo: '/tmp/wireshark_extcap_vethscopeKR4JZ3',
      options: { filter: 'icmp', container: null, containers: ['a', 'b'], interfaces: [], snaplen: 262144, follow: false },
    });
  });

  it('a boolflag arrives alone; options a later Wireshark adds are ignored', () => {
    const call = parseExtcapArgs(['--capture', '--extcap-interface', 'vethscope-web-1', '--fifo', '/tmp/f', '--follow', '--debug', '--interfaces', 'eth0,eth1', '--snaplen', '96']);
    expect(call).toMatchObject({ kind: 'capture', options: { follow: true, interfaces: ['eth0', 'eth1'], snaplen: 96 } });
  });

  it('a filter check is --extcap-capture-filter without --capture (Wireshark colours its filter field with it)', () => {
    expect(parseExtcapArgs(['--extcap-interface', 'vethscope-web-1', '--extcap-capture-filter', 'tcp port 80'])).toEqual({ kind: 'filter-check', iface: 'vethscope-web-1', filter: 'tcp port 80' });
  });

  it('says what is missing', () => {
    expect(parseExtcapArgs([])).toMatchObject({ kind: 'usage' });
    expect(parseExtcapArgs(['--capture', '--extcap-interface', 'vethscope'])).toEqual({ kind: 'usage', message: '--capture needs --fifo PATH' });
    expect(parseExtcapArgs(['--capture', '--extcap-interface', 'vethscope', '--fifo', '/f', '--snaplen', '12'])).toMatchObject({ kind: 'usage', message: expect.stringMatching(/64 to 262144/) });
  });
});
