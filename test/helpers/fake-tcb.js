#!/usr/bin/env node
// A stand-in for the CloudBase CLI (`tcb`), for the deploy tests. FAKE_TCB_MODE picks what it reproduces:
// "success", "silent-failure" (prints 函数部署失败 and exits 0, as tcb has been seen to) or "missing"
// (the deploy looks fine but the function is not there afterwards). Every call is appended to FAKE_TCB_LOG.
const fs = require("node:fs");

const args = process.argv.slice(2);
const mode = process.env.FAKE_TCB_MODE || "success";
if (process.env.FAKE_TCB_LOG) fs.appendFileSync(process.env.FAKE_TCB_LOG, JSON.stringify(args) + "\n");

const command = args.slice(0, 2).join(" ");
if (args[0] === "login") {
  console.log("✔ 登录成功！");
} else if (command === "fn deploy") {
  if (mode === "silent-failure") {
    console.log("✖ [messagePush] 函数部署失败");
    console.log("  CreateFunction 异常: [ResourceNotFound.Namespace] 环境不存在");
  } else {
    console.log("✔ [messagePush] 云函数部署成功！");
  }
} else if (command === "fn detail") {
  if (mode === "missing") {
    console.error("✖ 函数不存在 (ResourceNotFound.Function)");
    process.exit(1);
  }
  console.log("函数名称：messagePush\n状态：部署完成\n运行环境：Nodejs18.15\n超时时间：5 秒");
}
process.exit(0);
