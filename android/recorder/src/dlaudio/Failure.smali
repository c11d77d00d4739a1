.class final Ldlaudio/Failure;
.super Ljava/lang/Exception;

# One contract error: the word printed after ERROR and the exit status.

.field final code:Ljava/lang/String;

.field final status:I


.method constructor <init>(Ljava/lang/String;ILjava/lang/String;)V
    .locals 0

    invoke-direct {p0, p3}, Ljava/lang/Exception;-><init>(Ljava/lang/String;)V
    iput-object p1, p0, Ldlaudio/Failure;->code:Ljava/lang/String;
    iput p2, p0, Ldlaudio/Failure;->status:I
    return-void
.end method
