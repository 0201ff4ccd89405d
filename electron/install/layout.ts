// Where the installed helper and its rules live. One fixed path for the elevated
// program, so sudoers and polkit name exactly it (never a generic interpreter: a rule
// for /usr/bin/node would allow any script). The same paths for `vethscope
// install-helper` and the Debian package; the package keeps its polkit rule under
// /usr/share (its own files), install-helper under /etc (the admin's).

export interface Layout {
  /** root:root 0755: the helper, a copied interpreter if one was needed, the manifest. */
  libDir: string;
  helperPath: string;
  manifestPath: string;
  polkitActionPath: string;
  polkitRulePath: string;
  sudoersPath: string;
}

export const LIB_DIR = '/usr/lib/vethscope';
export const HELPER_PATH = `${LIB_DIR}/vethscope-helper`;
export const POLKIT_ACTION_ID = 'org.vethscope.helper';

export const systemLayout: Layout = {
  libDir: LIB_DIR,
  helperPath: HELPER_PATH,
  manifestPath: `${LIB_DIR}/install-manifest.json`,
  polkitActionPath: `/usr/share/polkit-1/actions/${POLKIT_ACTION_ID}.policy`,
  // 49: before distributions' 50-default.rules, so the group rule is seen first.
  polkitRulePath: '/etc/polkit-1/rules.d/49-vethscope.rules',
  sudoersPath: '/etc/sudoers.d/vethscope',
};

/** The Debian package's rule lives among package files; everything else is the same. */
export const DEB_POLKIT_RULE_PATH = '/usr/share/polkit-1/rules.d/49-vethscope.rules';
/** The group the Debian package creates: membership is the permission (like wireshark-common's). */
export const DEB_GROUP = 'vethscope';
/** The group install-helper suggests: the one people already know means "may capture". */
export const SUGGESTED_GROUP = 'wireshark';

/** The one command that installs the helper, for the way this copy of vethscope was installed. */
export function installCommand(from: 'checkout' | 'appimage' = 'checkout', version = ''): string {
  if (from === 'appimage') return `sudo apt install ./vethscope_${version || '<version>'}_all.deb (the vethscope package of the same release holds the helper)`;
  return `sudo npx vethscope install-helper --group ${SUGGESTED_GROUP}`;
}

/** Group names that are safe to write into sudoers and a polkit rule (Debian's NAME_REGEX, system groups too). */
export const GROUP_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
