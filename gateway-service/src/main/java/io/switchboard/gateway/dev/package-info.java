/**
 * Local mode only ({@code switchboard.local-mode=true}): a development token endpoint, a presence
 * lookup for the console, and the agent console itself. None of it exists on a gateway outside local
 * mode: those paths answer 404 there.
 */
package io.switchboard.gateway.dev;
