// How the privileged helper ends before it speaks the protocol, for the side that started it.

/** Exit status of a helper that refused to run elevated from a file others could change (EX_CONFIG). */
export const HELPER_EXIT_UNTRUSTED = 78;

/**
 * Flag for a development checkout's helper, started through a password prompt (sudo -k, or
 * pkexec's admin prompt): its file may belong to the person it runs for. Never in a standing rule.
 */
export const DEV_CHECKOUT_FLAG = '--dev-checkout';
