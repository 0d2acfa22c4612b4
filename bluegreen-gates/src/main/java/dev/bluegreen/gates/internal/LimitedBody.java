package dev.bluegreen.gates.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads at most a number of bytes of a response body and stops reading (cancels) after them, so a
 * gate never holds a huge or endless body in memory. Internal: not part of the API.
 */
public final class LimitedBody implements HttpResponse.BodySubscriber<LimitedBody.Body> {

    /**
     * The bytes read.
     *
     * @param bytes     at most the limit's worth
     * @param truncated whether the body went on after them
     */
    public record Body(byte[] bytes, boolean truncated) {
    }

    private final int limit;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private LimitedBody(int limit) {
        this.limit = limit;
    }

    /**
     * @param limit the most bytes to read
     * @return a body handler reading at most {@code limit} bytes
     */
    public static HttpResponse.BodyHandler<Body> handler(int limit) {
        return info -> new LimitedBody(limit);
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            int room = limit - read.size();
            int take = Math.min(room, item.remaining());
            byte[] chunk = new byte[take];
            item.get(chunk);
            read.write(chunk, 0, take);
            if (item.hasRemaining()) {
                subscription.cancel();
                result.complete(new Body(read.toByteArray(), true));
                return;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Body(read.toByteArray(), false));
    }
}
