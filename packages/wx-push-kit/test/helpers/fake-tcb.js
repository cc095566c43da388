#!/usr/bin/env node
// A stand-in for the CloudBase CLI (`tcb`), for the deploy tests. FAKE_TCB_MODE picks what it reproduces:
// "success", "silent-failure" (prints 函数部署失败 and exits 0, as tcb has been seen to) or "missing"
// (the deploy looks fine but the function is not there afterwards). Like tcb 2.12.10 it reads its login
// from $HOME/.config/.cloudbase/auth.json and refuses to work without one; `logout` deletes the credential.
// Every call is appended to FAKE_TCB_LOG, and the HOME it ran with to FAKE_TCB_LOG + ".home".
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
const mode = process.env.FAKE_TCB_MODE || "success";
const home = process.env.HOME || "";
if (process.env.FAKE_TCB_LOG) {
  fs.appendFileSync(process.env.FAKE_TCB_LOG, JSON.stringify(args) + "\n");
  fs.appendFileSync(`${process.env.FAKE_TCB_LOG}.home`, home + "\n");
}
const authFile = path.join(home, ".config", ".cloudbase", "auth.json");
const auth = fs.existsSync(authFile) ? JSON.parse(fs.readFileSync(authFile, "utf8")) : {};

const command = args.slice(0, 2).join(" ");
if (args[0] === "logout") {
  delete auth.credential;
  fs.writeFileSync(authFile, JSON.stringify(auth));
  console.log("✔ 注销登录成功！");
  process.exit(0);
}
if (!auth.credential || !auth.credential.secretId || !auth.credential.secretKey) {
  console.error("✖ 无有效身份信息，请使用 cloudbase login 登录");
  process.exit(1);
}
if (command === "fn deploy") {
  if (mode === "silent-failure") {
    console.log("✖ [messagePush] 函数部署失败");
    console.log("  CreateFunction 异常: [ResourceNotFound.Namespace] 环境不存在");
  } else {
    console.log(`✔ [messagePush] 云函数部署成功！(as ${auth.credential.secretId})`);
  }
} else if (command === "fn detail") {
  if (mode === "missing") {
    console.error("✖ 函数不存在 (ResourceNotFound.Function)");
    process.exit(1);
  }
  // FAKE_TCB_RUNTIME and FAKE_TCB_TIMEOUT: what the deployed function is said to run on (for doctor).
  const runtime = process.env.FAKE_TCB_RUNTIME || "Nodejs18.15";
  const timeout = process.env.FAKE_TCB_TIMEOUT || "5";
  console.log(`函数名称：messagePush\n状态：部署完成\n运行环境：${runtime}\n超时时间：${timeout} 秒`);
}
process.exit(0);
