// The cloud function does all the work; the mini program only needs a way into the customer-service chat.
App({});
