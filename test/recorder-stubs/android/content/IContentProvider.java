package android.content;

/** A provider binder; the stub's one call stands for Settings' CALL_METHOD_GET_*. */
public interface IContentProvider {
  String call(String callingPackage, String name);
}
