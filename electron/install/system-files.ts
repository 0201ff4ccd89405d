// The text of every file that grants the helper: the helper script itself, the polkit
// action, and the optional group rules for sudo and polkit. Pure functions: the same
// text for `vethscope install-helper`, the Debian package (scripts/build-deb.mjs) and
// electron-builder's deb (scripts/dist.mjs), and tested as text.
import { NODE_IDLE_FLAG } from '../util/node-flags';
import { GROUP_NAME, POLKIT_ACTION_ID } from './layout';

function requireGroup(group: string): string {
  if (!GROUP_NAME.test(group)) throw new Error(`"${group}" is not a group name (lowercase letters, digits, _ and -, 32 at most)`);
  return group;
}

function requireAbsolute(path: string): string {
  // Goes into sudoers, XML and a shebang: nothing that could end or escape a token there.
  if (!/^\/[A-Za-z0-9._/+-]+$/.test(path) || path.includes('/../')) throw new Error(`${JSON.stringify(path)} is not a plain absolute path`);
  return path;
}

/** The elevated program: the helper bundle run by one root-owned interpreter named in its first line. */
export function helperScript(interpreter: string, bundle: string): string {
  const body = bundle.startsWith('#!') ? bundle.slice(bundle.indexOf('\n') + 1) : bundle;
  return (
    `#!${requireAbsolute(interpreter)} ${NODE_IDLE_FLAG}\n` +
    '// vethscope-helper: the privileged capture helper (the only vethscope code that runs as root).\n' +
    '// Installed by `vethscope install-helper` or the vethscope package; only root may change this\n' +
    '// file, its interpreter or the folders above them: the helper refuses to run otherwise.\n' +
    body
  );
}

/** The polkit action pkexec matches: exactly the installed helper, an admin password otherwise. */
export function polkitAction(helperPath: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
  "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">
<!-- pkexec runs exactly ${requireAbsolute(helperPath)} under this action: the root-owned helper
     installed by \`vethscope install-helper\` or the vethscope package, never an interpreter
     (an action for /usr/bin/node would allow any script). -->
<policyconfig>
  <vendor>vethscope</vendor>
  <action id="${POLKIT_ACTION_ID}">
    <description>Capture container network traffic</description>
    <message>Authentication is required to capture network traffic of containers</message>
    <defaults>
      <allow_any>auth_admin</allow_any>
      <allow_inactive>auth_admin</allow_inactive>
      <allow_active>auth_admin_keep</allow_active>
    </defaults>
    <annotate key="org.freedesktop.policykit.exec.path">${helperPath}</annotate>
  </action>
</policyconfig>
`;
}

/**
 * Members of `group` may start the helper through pkexec without a prompt. YES rather than
 * auth_self: the sudoers rule gives the same members the same helper without a password, so a
 * prompt on the desktop alone would protect nothing (and Wireshark's group asks for none either).
 */
export function polkitGroupRule(group: string): string {
  return `// vethscope: members of the group "${requireGroup(group)}" may start the capture helper
// (${POLKIT_ACTION_ID}) without a password, like the sudoers rule for the same group.
// Being in this group means: may capture any traffic on this host.
polkit.addRule(function (action, subject) {
  if (action.id === "${POLKIT_ACTION_ID}" && subject.isInGroup("${group}")) {
    return polkit.Result.YES;
  }
});
`;
}

/**
 * Members of `group` may run exactly the installed helper as root, with no arguments ("") and
 * no password. sudo resets the environment; the helper learns who asked from SUDO_UID.
 */
export function sudoersDropIn(group: string, helperPath: string): string {
  return `# vethscope: members of the group "${requireGroup(group)}" may start the capture helper as root
# without a password. Exactly one root-owned program, with no arguments (""), so nobody can
# pass it anything; the helper takes who asked from SUDO_UID. Being in this group means:
# may capture any traffic on this host (like Wireshark's "wireshark" group).
%${group} ALL=(root) NOPASSWD: ${requireAbsolute(helperPath)} ""
`;
}
