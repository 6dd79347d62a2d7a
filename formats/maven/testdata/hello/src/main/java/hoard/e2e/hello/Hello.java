package hoard.e2e.hello;

/** The smallest class worth compiling, packaging and deploying through Hoard. */
public final class Hello {
    private Hello() {}

    public static String greet(String name) {
        return "Hello, " + name + "!";
    }

    public static void main(String[] args) {
        System.out.println(greet(args.length > 0 ? args[0] : "hoard"));
    }
}
