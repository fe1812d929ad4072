íê

xPlaceholder

wVarHandleOp

rReadVariableOpw

yMatMulxr

saver_filenamePlaceholder
;
namesConst*+
value"B Bw/.ATTRIBUTES/VARIABLE_VALUE
/
saveSaveV2saver_filenamenamesnamesr
2
restore	RestoreV2saver_filenamenamesnames
+
model_prefixConst*
valueB	Bmodel
/
save_1SaveV2model_prefixnamesnamesrz
x

__inference_serve_7'
tokenConst*
valueBBpyfunc_0
callEagerPyFuncx
outIdentitycall:output:0