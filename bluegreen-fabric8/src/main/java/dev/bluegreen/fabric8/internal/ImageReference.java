package dev.bluegreen.fabric8.internal;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks container image references against the grammar of the distribution project (the one
 * Kubernetes and container runtimes use): {@code [registry[:port]/]path[:tag][@algorithm:hex]}.
 */
final class ImageReference {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:" + DOMAIN_PART + "(?:\\." + DOMAIN_PART + ")*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("(?:(" + DOMAIN + ")/)?(" + COMPONENT + "(?:/" + COMPONENT
            + ")*)(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");

    private ImageReference() {
    }

    /**
     * @param image the reference to check
     * @return the problems, each naming the value and what was expected; empty when it is well formed
     */
    static List<String> problems(String image) {
        if (image.length() > 4096) {
            return List.of("image reference is " + image.length() + " characters long; expected at most 4096");
        }
        var matcher = REFERENCE.matcher(image);
        if (!matcher.matches()) {
            String hint = image.chars().anyMatch(Character::isUpperCase) && !image.contains(":")
                    ? " (repository names are lowercase)" : image.contains(" ") ? " (it contains a space)" : "";
            return List.of("'" + image + "' is not a container image reference" + hint + "; expected "
                    + "[registry[:port]/]name[:tag][@sha256:digest], e.g. registry.example.com/shop/myapp:1.4.2");
        }
        String name = (matcher.group(1) == null ? "" : matcher.group(1) + "/") + matcher.group(2);
        if (name.length() > 255) {
            return List.of("the repository name of '" + image + "' is " + name.length()
                    + " characters long; expected at most 255");
        }
        return List.of();
    }
}
