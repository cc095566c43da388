// Local runs only (never bundled): sends wx-server-sdk's calls to the CloudBase gateway
// (https://{env}.api.tcloudbasegateway.com: the token and cloud.ai's model calls) to the loopback stand-in.
// Those calls ignore TCB_CONTEXT_CNFG and always use https, so the process that runs the function installs
// this (the SDK runner, an in-process replay) with the stand-in's origin, WX_PUSH_GATEWAY_URL.
"use strict";
const http = require("node:http");
const https = require("node:https");

const GATEWAY = /\.api(\.intl)?\.tcloudbasegateway\.com$/;

/** Redirects until the returned function is called. */
function install(origin) {
  const original = https.request;
  https.request = function request(url, options, callback) {
    const target =
      typeof url === "string" || url instanceof URL
        ? new URL(url)
        : new URL(`https://${url.hostname || url.host}${url.path || "/"}`);
    if (!GATEWAY.test(target.hostname)) return original.apply(this, arguments);
    if (typeof options === "function") [options, callback] = [{}, options];
    // The SDK's agent is for TLS to the gateway: the stand-in is plain http.
    const rest = { ...(typeof options === "object" && options !== null ? options : {}) };
    delete rest.agent;
    return http.request(`${origin}${target.pathname}${target.search}`, rest, callback);
  };
  return () => {
    https.request = original;
  };
}

module.exports = { install };
