// Usage: npm run callback-config -- <validate|upload|pull> [file] [--dry-run] [--timeout MS]
// Validates temp-cloud-callback-config.json and uploads it with tcb/setcallbackconfig (WeChat's HTTPS API),
// then reads it back to prove what the platform holds. The work is the kit's; this is the project's entry.
import { callbackConfig } from "wx-push-kit/cli";

void callbackConfig(process.argv.slice(2)).then((code) => (process.exitCode = code));
