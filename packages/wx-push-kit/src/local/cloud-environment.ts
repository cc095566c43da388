// The environment a cloud function runs with in CloudBase (a Tencent SCF instance), its cloud calls pointed
// at the loopback CloudBase stand-in. Shared by everything that runs the built function locally: replay,
// check:function, the benchmark and the tests. The model adapters are pointed at the same stand-in, which
// answers their endpoints from recorded answers: nothing local ever reaches a real model.
import { modelEnvironment } from "./fake-model";

/** `url` is the stand-in's; `envId` stands for the CloudBase environment. */
export function cloudEnvironment(url: string, envId = "local-env"): Record<string, string> {
  return {
    // wx-server-sdk sends every cloud call to this URL instead of the CloudBase gateway.
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: url }),
    // What the runtime sets in the cloud. Without it the SDK's init asks http://metadata.tencentyun.com
    // whether it runs in Tencent Cloud: a request that would leave the machine.
    TENCENTCLOUD_RUNENV: "SCF",
    // In SCF mode the SDK logs an error when these are missing.
    TENCENTCLOUD_REGION: "ap-shanghai",
    SCF_NAMESPACE: envId,
    TCB_ENV: envId,
    // The SDK signs every request with these; the stand-in does not check them.
    TENCENTCLOUD_SECRETID: "AKID-local-stand-in",
    TENCENTCLOUD_SECRETKEY: "local-stand-in",
    // cloud.ai's calls, which ignore TCB_CONTEXT_CNFG (see gateway-redirect.js), and the model adapters.
    WX_PUSH_GATEWAY_URL: new URL(url).origin,
    ...modelEnvironment(new URL(url).origin),
  };
}
