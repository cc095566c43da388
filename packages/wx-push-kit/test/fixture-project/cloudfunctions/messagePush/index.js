// Built from src/ by `npm run build`. Do not edit: change src/ and rebuild.
// src: 6326f3494eed6907
// sdk: lean wx-server-sdk@4.0.2
if (typeof process.setSourceMapsEnabled === "function") process.setSourceMapsEnabled(true);
module.exports = require("./bundle.js");
