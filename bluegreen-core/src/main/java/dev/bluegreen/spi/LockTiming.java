package dev.bluegreen.spi;

import dev.bluegreen.ConfigurationException;
import dev.bluegreen.internal.Checks;

import java.time.Duration;

/**
 * How a release lock is held, with the meaning and defaults of client-go's leader election:
 * a holder that has not renewed for {@code leaseDuration} is gone and the lock may be taken over;
 * a holder that could not renew for {@code renewDeadline} gives the lock up (stops at the next
 * safe point); renewals are attempted every {@code retryPeriod}.
 *
 * @param leaseDuration how long a lock stays valid after its last renewal; default 15 s
 * @param renewDeadline how long the holder keeps trying to renew before it gives up; default 10 s
 * @param retryPeriod   how often the holder renews; default 2 s
 */
public record LockTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    /** client-go's defaults: 15 s, 10 s, 2 s. */
    public static final LockTiming DEFAULT = new LockTiming(Duration.ofSeconds(15), Duration.ofSeconds(10),
            Duration.ofSeconds(2));

    /**
     * Validates the durations against each other.
     *
     * @param leaseDuration how long a lock stays valid after its last renewal
     * @param renewDeadline how long the holder keeps trying to renew
     * @param retryPeriod   how often the holder renews
     * @throws ConfigurationException unless retryPeriod &lt; renewDeadline &lt; leaseDuration
     */
    public LockTiming {
        Checks.positive("lease duration", leaseDuration);
        Checks.positive("renew deadline", renewDeadline);
        Checks.positive("retry period", retryPeriod);
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new ConfigurationException("renew deadline must be shorter than the lease duration " + leaseDuration
                    + ", but was " + renewDeadline);
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw new ConfigurationException("retry period must be shorter than the renew deadline " + renewDeadline
                    + ", but was " + retryPeriod);
        }
    }
}
