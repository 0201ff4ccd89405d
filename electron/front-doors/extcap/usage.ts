// What `vethscope extcap --help` and `vethscope extcap install --help` print. Text only: the
// CLI's help answers from here without loading anything else (cli/usage.ts).
export const EXTCAP_INSTALL_USAGE = `usage: vethscope extcap install [--user|--system] [--remove]

Install vethscope's Wireshark extcap: Wireshark and tshark then list every running container
as a capture interface ("vethscope: web-1 (docker)"), plus "vethscope" for several at once.
The folders come from \`tshark -G folders\` (they differ between Wireshark 4.0, 4.2, 4.4 and 4.6).
  --user     (default) your own extcap folder: Wireshark run by you finds it
  --system   as root: Wireshark's global extcap folder, for every user
  --remove   take vethscope's extcap out of those folders (and of other versions' folders)
Captures go through the same privileged helper and group as the app (no extra rule).`;

export const EXTCAP_USAGE = `${EXTCAP_INSTALL_USAGE}

Wireshark itself runs: vethscope extcap --extcap-interfaces | --extcap-interface IFACE
  (--extcap-dlts | --extcap-config | --extcap-capture-filter F | --capture --fifo PATH [options])`;
