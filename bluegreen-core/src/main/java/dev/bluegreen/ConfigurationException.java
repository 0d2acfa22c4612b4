package dev.bluegreen;

/**
 * Bad input to a builder or factory: thrown before anything touches the cluster, with a message
 * naming the setting, the value given and what was expected.
 */
public class ConfigurationException extends BlueGreenException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the setting, the value given and what was expected; never null
     */
    public ConfigurationException(String message) {
        super(message);
    }
}
