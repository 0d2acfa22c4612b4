/**
 * Argo Rollouts blue-green, as the {@code kubectl argo rollouts} plugin drives it: {@link dev.bluegreen.argo.ArgoRollout}
 * (promote, promote --full, abort, retry, pause, restart, set image, undo, status, waiting for a phase), the typed
 * models {@link dev.bluegreen.argo.Rollout} and {@link dev.bluegreen.argo.AnalysisRun} that keep the fields they do
 * not model, and {@link dev.bluegreen.argo.ArgoBlueGreen}: the switcher, environments, gates and release plan of
 * the guide's Method 3. Implementations live in {@code dev.bluegreen.argo.internal}.
 */
package dev.bluegreen.argo;
