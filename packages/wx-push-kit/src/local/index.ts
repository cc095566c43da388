// wx-push-kit/local: the loopback stand-ins the local runs and the tests use, for a project's own tests:
// the CloudBase gateway (openapi, database, and the model endpoints beside them) and a model on its own.
export type { Answer, FakeCloudBase, OpenApiCall } from "./fake-cloudbase";
export { startFakeCloudBase } from "./fake-cloudbase";
export type { FakeModel, ModelBehaviour, ModelRequest, RecordedAnswer } from "./fake-model";
export { ANSWERS_FILE, modelEnvironment, readRecordedAnswers, startFakeModel } from "./fake-model";
export { cloudEnvironment } from "./cloud-environment";
