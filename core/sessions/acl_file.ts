// The aclfile: one "user <name> <rules…>" line per user, the format ACL LIST shows. Loading is
// all or nothing, as Redis's ACLLoadFromFile: every line is parsed into a fresh set of users
// and any error (with Redis's file:line wording) leaves the running users untouched. Saving
// writes a temporary file and renames it over the old one, so a crash never leaves half a file.

import { type AclRegistry, AclRuleError, type AclUser, hasSpaces } from "./acl.ts";

/** What loading an aclfile produced: the users, or the errors (one line, Redis's wording). */
export interface AclFileParse {
  users: Map<string, AclUser>;
  /** Empty when the whole file applied cleanly. */
  errors: string;
}

/** Trailer Redis appends when a load is refused. */
const LOAD_REFUSED =
  "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

/** Parses aclfile `text` (named `fileName` in errors) into users, without installing them. */
export function parseAclFile(acl: AclRegistry, text: string, fileName: string): AclFileParse {
  const users = new Map<string, AclUser>();
  let errors = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "") continue;
    // Split on single spaces, as Redis: doubled spaces give empty rules, which are no-ops.
    const words = line.split(" ");
    if (words[0] !== "user" || words.length < 2) {
      errors += `${fileName}:${lineNumber} should start with user keyword followed by the ` +
        `username. `;
      continue;
    }
    const name = words[1];
    if (hasSpaces(name)) {
      errors += `'${fileName}:${lineNumber}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${lineNumber}. `;
      continue;
    }
    const user = acl.newUser(name);
    users.set(name, user);
    let syntaxReported = false;
    for (const word of words.slice(2)) {
      const rule = word.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "");
      try {
        acl.applyRule(user, rule);
      } catch (error) {
        if (!(error instanceof AclRuleError)) throw error;
        if (error.unknownName) {
          errors += `${fileName}:${lineNumber}: Error in applying operation '${rule}': ` +
            `${error.message}. `;
        } else if (!syntaxReported) {
          // Only the first: later rules may fail because of this one.
          errors += `${fileName}:${lineNumber}: ${error.message}. `;
          syntaxReported = true;
        }
      }
    }
    user.refresh();
  }
  return { users, errors: errors === "" ? "" : errors + LOAD_REFUSED };
}

/**
 * Reads and parses the aclfile at `path`; an unreadable file is an error in Redis's wording.
 */
export function readAclFile(acl: AclRegistry, path: string): AclFileParse {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "No such file or directory"
      : (error as Error).message;
    return { users: new Map(), errors: `Error loading ACLs, opening file '${path}': ${reason}` };
  }
  return parseAclFile(acl, text, path);
}

/** The aclfile text for the current users (ACL SAVE). */
export function aclFileText(acl: AclRegistry): string {
  let text = "";
  for (const user of acl.sortedUsers()) text += `user ${user.name} ${acl.describeUser(user)}\n`;
  return text;
}

/** Writes the current users to `path` through a temporary file; throws on I/O errors. */
export function saveAclFile(acl: AclRegistry, path: string): void {
  const temporaryPath = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    Deno.writeTextFileSync(temporaryPath, aclFileText(acl));
    Deno.renameSync(temporaryPath, path);
  } catch (error) {
    try {
      Deno.removeSync(temporaryPath);
    } catch {
      // Never created.
    }
    throw error;
  }
}
